"""Use case: a chat message written into an incident's timeline, or the organization's.

Services never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from openoncall.chat.models import OrgEvent
from openoncall.errors import NotFound
from openoncall.incidents.models import EventKind, IncidentEvent
from openoncall.incidents.queries import find_incident, get_user


def post_chat(
    session: Session,
    org_id: int,
    *,
    username: str,
    text: str,
    external_username: str | None = None,
    monitoring_tool: str | None = None,
    incident_number: str | None = None,
    tags: list[str] | None = None,
    now: datetime,
) -> IncidentEvent | OrgEvent:
    """Record the message; an unknown user or incident is a 404, and nothing is written."""
    user = get_user(session, org_id, username, field="username")
    data = {
        "externalUsername": external_username,
        "monitoringTool": monitoring_tool,
        "tags": list(tags or []),
    }
    if incident_number is None or not incident_number.strip():
        org_event = OrgEvent(
            org_id=org_id,
            kind=EventKind.CHAT,
            at=now,
            actor=user.username,
            message=text,
            data=data,
        )
        session.add(org_event)
        return org_event
    incident = find_incident(session, org_id, incident_number)
    if incident is None:
        raise NotFound(f"Incident {incident_number} not found", field="incidentId")
    event = IncidentEvent(
        org_id=org_id,
        incident_id=incident.id,
        kind=EventKind.CHAT,
        at=now,
        actor=user.username,
        message=text,
        data=data,
    )
    session.add(event)
    return event
