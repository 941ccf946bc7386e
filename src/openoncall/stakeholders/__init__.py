"""Stakeholder messages: recorded on the timeline and handed to the engine for delivery."""
