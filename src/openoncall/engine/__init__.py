"""The engine: the database is the queue; workers claim due jobs and run idempotent handlers."""
