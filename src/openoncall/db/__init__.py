"""Database plumbing: declarative base, engines, sessions and migrations."""
