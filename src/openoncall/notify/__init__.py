"""Notification delivery: one adapter per medium behind the Channel protocol."""
