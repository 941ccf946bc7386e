"""Reporting: incident history and on-call logs (the /api-reporting paths)."""
