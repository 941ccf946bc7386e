"""Outgoing webhooks: named URLs that escalation policies page, signed with HMAC."""
