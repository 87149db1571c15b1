"""The fault soak: `python -m tests.soak.soak` (`make soak`), and a small one in `make test`."""
