"""The kinds of job, and the dedupe keys that make enqueueing the same work twice a no-op."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    # Start (or, after a reroute, restart) paging an incident's policies and users.
    ESCALATION_START = "escalation.start"
    # An escalation's next step falls due.
    ESCALATION_STEP = "escalation.step"
    # A personal paging policy's next step for one user falls due.
    PAGE_STEP = "page.step"
    # Send one delivery through its channel.
    DELIVERY_SEND = "delivery.send"
    # A stakeholder message to its recipients.
    STAKEHOLDER_MESSAGE = "stakeholder.message"
    # A user's set-password invitation.
    INVITATION_EMAIL = "invitation.email"


def escalation_start_key(incident_id: int) -> str:
    return f"escalation:{incident_id}:start"


def escalation_reroute_key(incident_id: int, event_id: int) -> str:
    return f"escalation:{incident_id}:reroute:{event_id}"


def delivery_key(delivery_id: int) -> str:
    return f"delivery:{delivery_id}"
