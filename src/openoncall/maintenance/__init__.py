"""Maintenance mode: windows during which alerts are recorded but page nobody."""
