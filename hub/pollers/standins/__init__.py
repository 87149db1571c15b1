"""Stand-ins for the partners' APIs, written from their documentation, for tests and the demo.

They are not the partners: each serves on 127.0.0.1, keeps the partner's documented rules on
an injected clock, records every request, and lists in `violations` any request the rules
forbid, so a test can assert there was none.
"""
