"""Scheduled overrides with per-policy assignments, and take-on-call (immediate overrides)."""
