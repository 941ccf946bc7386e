"""Team escalation policies: steps with timeouts, entries naming whom to page."""
