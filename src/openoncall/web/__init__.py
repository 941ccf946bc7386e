"""The server-rendered web UI (Jinja2 + htmx): sign-in, integrations, timeline, on-call, reports."""
