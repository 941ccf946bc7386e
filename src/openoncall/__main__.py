"""`python -m openoncall` runs the CLI."""

from openoncall.cli import app

app()
