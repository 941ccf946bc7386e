"""Authentication: API keys for the public API, passwords for people."""
