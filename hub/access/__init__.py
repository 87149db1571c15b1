"""Who may do what on the cluster: the declaration (deploy/access.toml) and what it expands to."""
