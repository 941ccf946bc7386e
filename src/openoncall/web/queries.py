"""Small read queries for pages whose domain has no service function for them yet.

Each one filters by the viewer's organization. When a domain service grows an equivalent,
the page should switch to it and the query here should go.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from openoncall.alerts.models import Alert
from openoncall.escalation.models import EscalationProgress
from openoncall.incidents.models import Incident, IncidentPagedTeam, Phase
from openoncall.orgs.models import ApiKey, ApiKeyUsage
from openoncall.orgs.service import list_api_keys
from openoncall.rotations.models import RotationGroup
from openoncall.teams.models import Team
from openoncall.users.models import User


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    key: ApiKey
    created_by: str
    calls_today: int


def api_key_rows(session: Session, org_id: int, now: datetime) -> list[ApiKeyRow]:
    """The org's live keys with their creator's username and today's calls."""
    keys = list_api_keys(session, org_id)
    creator_ids = {k.created_by_user_id for k in keys if k.created_by_user_id is not None}
    names: dict[int, str] = {}
    if creator_ids:
        names = dict(
            session.execute(
                select(User.id, User.username).where(
                    User.org_id == org_id, User.id.in_(creator_ids)
                )
            ).all()
        )
    today = _calls_today(session, [k.id for k in keys], now)
    return [
        ApiKeyRow(
            key=k,
            created_by=names.get(k.created_by_user_id, "—") if k.created_by_user_id else "—",
            calls_today=today.get(k.id, 0),
        )
        for k in keys
    ]


def _calls_today(session: Session, key_ids: list[int], now: datetime) -> dict[int, int]:
    """Like orgs.service.calls_today, which uses Result.tuples() (deprecated in SQLAlchemy 2.1)."""
    if not key_ids:
        return {}
    rows = session.execute(
        select(ApiKeyUsage.api_key_id, ApiKeyUsage.calls).where(
            ApiKeyUsage.api_key_id.in_(key_ids), ApiKeyUsage.day_on == now.date()
        )
    )
    return {int(row[0]): int(row[1]) for row in rows}


# ------------------------------------------------------------------ timeline

RECENT = timedelta(hours=24)
TIMELINE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class TimelineFilters:
    team: str = ""
    routing_key: str = ""
    phase: str = ""

    def query(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True, slots=True)
class IncidentRow:
    incident: Incident
    teams: list[str]


def timeline_incidents(
    session: Session, org_id: int, filters: TimelineFilters, *, now: datetime
) -> list[IncidentRow]:
    """Open incidents and those resolved in the last 24 hours, newest first, filtered."""
    stmt = select(Incident).where(
        Incident.org_id == org_id,
        or_(Incident.phase != Phase.RESOLVED, Incident.resolved_at >= now - RECENT),
    )
    if filters.phase:
        stmt = stmt.where(Incident.phase == filters.phase)
    if filters.routing_key:
        stmt = stmt.where(Incident.routing_key == filters.routing_key)
    if filters.team:
        stmt = stmt.where(
            Incident.id.in_(
                select(IncidentPagedTeam.incident_id)
                .join(Team, Team.id == IncidentPagedTeam.team_id)
                .where(IncidentPagedTeam.org_id == org_id, Team.slug == filters.team)
            )
        )
    incidents = list(session.scalars(stmt.order_by(Incident.number.desc()).limit(TIMELINE_LIMIT)))
    teams = paged_team_names(session, org_id, [i.id for i in incidents])
    return [IncidentRow(incident=i, teams=teams.get(i.id, [])) for i in incidents]


def paged_team_names(
    session: Session, org_id: int, incident_ids: list[int]
) -> dict[int, list[str]]:
    if not incident_ids:
        return {}
    rows = session.execute(
        select(IncidentPagedTeam.incident_id, Team.name)
        .join(Team, Team.id == IncidentPagedTeam.team_id)
        .where(IncidentPagedTeam.org_id == org_id, IncidentPagedTeam.incident_id.in_(incident_ids))
        .order_by(Team.name)
    )
    names: dict[int, list[str]] = {}
    for incident_id, name in rows:
        names.setdefault(incident_id, []).append(name)
    return names


def incident_routing_keys(session: Session, org_id: int) -> list[str]:
    """Routing keys seen on incidents (for the filter), alphabetical."""
    return sorted(
        key
        for key in session.scalars(
            select(Incident.routing_key)
            .where(Incident.org_id == org_id, Incident.routing_key.is_not(None))
            .distinct()
        )
        if key
    )


def incident_alerts(session: Session, org_id: int, incident_id: int) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.org_id == org_id, Alert.incident_id == incident_id)
            .order_by(Alert.id)
        )
    )


def rotation_group_choices(
    session: Session, org_id: int, team_id: int | None = None
) -> list[tuple[str, str]]:
    """Every rotation group of the org (or of one team) as (slug, "label (team)"), for policy
    forms.

    rotations.service lists groups per team only; the policy form offers all of them.
    """
    query = (
        select(RotationGroup.slug, RotationGroup.label, Team.name)
        .join(Team, Team.id == RotationGroup.team_id)
        .where(RotationGroup.org_id == org_id)
        .order_by(Team.name, RotationGroup.label)
    )
    if team_id is not None:
        query = query.where(RotationGroup.team_id == team_id)
    rows = session.execute(query)
    return [(slug, f"{label} ({team})") for slug, label, team in rows]


@dataclass(frozen=True, slots=True)
class WaitingStep:
    """An escalation waiting for its next step: "step 2 of Ops in 7 min"."""

    policy_name: str
    step_number: int
    step_count: int
    due_at: datetime
    minutes_left: int


def waiting_steps(
    session: Session, org_id: int, incident_id: int, now: datetime
) -> list[WaitingStep]:
    """The incident's running escalations with a step still to come, soonest first."""
    rows = session.scalars(
        select(EscalationProgress)
        .where(
            EscalationProgress.org_id == org_id,
            EscalationProgress.incident_id == incident_id,
            EscalationProgress.is_done.is_(False),
            EscalationProgress.next_due_at.is_not(None),
        )
        .order_by(EscalationProgress.next_due_at, EscalationProgress.id)
    ).all()
    waiting = []
    for row in rows:
        steps = row.snapshot.get("steps", [])
        if row.next_due_at is None or row.next_step_index >= len(steps):
            continue
        seconds = max(0.0, (row.next_due_at - now).total_seconds())
        waiting.append(
            WaitingStep(
                policy_name=str(row.snapshot.get("name", "")),
                step_number=row.next_step_index + 1,
                step_count=len(steps),
                due_at=row.next_due_at,
                minutes_left=ceil(seconds / 60),
            )
        )
    return waiting
