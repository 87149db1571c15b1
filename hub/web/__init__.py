"""The worker's web side: its HTTP routes, and the ops figures and page they serve."""
