"""Incidents: the lifecycle, the timeline and the incident API."""
