"""Routing keys: which escalation policies an alert pages."""
