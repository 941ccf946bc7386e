"""Acknowledge from the notification: signed, expiring links and SMS replies."""
