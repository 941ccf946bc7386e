"""Use case: a stakeholder message, recorded on a timeline and queued for delivery.

The message goes on the incident's timeline (or the organization's when no incident is
named) and one `stakeholder.message` job per recipient user is enqueued in the same
transaction; the paging engine delivers them through the user's contact methods. A rolled-back
request therefore sends nothing, and a re-run job never sends twice (dedupe key per event and
user). Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.chat.models import OrgEvent
from openoncall.errors import InvalidInput, NotFound
from openoncall.incidents.models import EventKind, IncidentEvent
from openoncall.incidents.queries import find_incident, find_user
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.writer import enqueue
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User


@dataclass(frozen=True, slots=True)
class SentMessage:
    recipients: list[str]


def _resolve_recipients(
    session: Session, org_id: int, usernames: list[str], team_slugs: list[str]
) -> list[User]:
    """Named users plus every member of the named teams, each once, by username."""
    users: dict[int, User] = {}
    for name in usernames:
        user = find_user(session, org_id, name)
        if user is None:
            raise NotFound(f"User not found: {name}", field="recipients")
        users[user.id] = user
    for slug in team_slugs:
        team_id = session.scalar(select(Team.id).where(Team.org_id == org_id, Team.slug == slug))
        if team_id is None:
            raise NotFound(f"Team not found: {slug}", field="recipientTeams")
        members = session.scalars(
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.org_id == org_id, TeamMember.team_id == team_id)
        )
        for member in members:
            users[member.id] = member
    return sorted(users.values(), key=lambda u: u.username)


def send_stakeholder_message(
    session: Session,
    org_id: int,
    *,
    title: str,
    message: str,
    recipients: list[str],
    recipient_teams: list[str],
    incident_number: str | None,
    sender: str,
    now: datetime,
) -> SentMessage:
    if not [r for r in recipients if r.strip()] and not [t for t in recipient_teams if t.strip()]:
        raise InvalidInput(
            "At least one recipient (recipients or recipientTeams) is required",
            field="recipients",
        )
    users = _resolve_recipients(
        session,
        org_id,
        [r for r in recipients if r.strip()],
        [t.strip() for t in recipient_teams if t.strip()],
    )
    if not users:
        raise InvalidInput("The recipient teams have no members", field="recipientTeams")
    usernames = [u.username for u in users]
    data = {"title": title, "recipients": usernames, "recipientTeams": recipient_teams}
    event: IncidentEvent | OrgEvent
    if incident_number is None or not incident_number.strip():
        event = OrgEvent(
            org_id=org_id,
            kind=EventKind.STAKEHOLDER,
            at=now,
            actor=sender,
            message=message,
            data=data,
        )
        scope = "org"
    else:
        incident = find_incident(session, org_id, incident_number)
        if incident is None:
            raise NotFound(f"Incident {incident_number} not found", field="incidentId")
        event = IncidentEvent(
            org_id=org_id,
            incident_id=incident.id,
            kind=EventKind.STAKEHOLDER,
            at=now,
            actor=sender,
            message=message,
            data=data,
        )
        scope = "incident"
    session.add(event)
    session.flush()
    for user in users:
        enqueue(
            session,
            kind=JobKind.STAKEHOLDER_MESSAGE,
            payload={
                "user_id": user.id,
                "username": user.username,
                "title": title,
                "message": message,
                "sender": sender,
                "incident_number": incident_number.strip() if incident_number else None,
                # Where the delivery result goes: incident_event or org_event, and which row.
                "event_table": "incident_event" if scope == "incident" else "org_event",
                "event_id": event.id,
            },
            due_at=now,
            now=now,
            org_id=org_id,
            dedupe_key=f"stakeholder:{scope}:{event.id}:{user.id}",
        )
    return SentMessage(recipients=usernames)
