"""Rotation groups of a team: shifts in their own time zones and members in order."""
