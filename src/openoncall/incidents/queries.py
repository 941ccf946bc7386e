"""Read side of incidents: current list, one incident, incident history, alerts, as wire models.

Lists load their incidents first and then, per page, the paged policies, teams, users and the
transitions of all of them in a few IN queries, never one query per incident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, union_all
from sqlalchemy.orm import Session

from openoncall.alerts.models import Alert
from openoncall.api.wire import iso_z
from openoncall.errors import InvalidInput, NotFound
from openoncall.incidents.models import (
    EventKind,
    Incident,
    IncidentEvent,
    IncidentPagedPolicy,
    IncidentPagedTeam,
    IncidentPagedUser,
    Phase,
)
from openoncall.incidents.schemas import (
    EscalationPolicyInfo,
    GetAlertResponse,
    IncidentInfo,
    IncidentTransition,
    PolicyRef,
    TeamRef,
)
from openoncall.policies.models import EscalationPolicy
from openoncall.teams.models import Team
from openoncall.users.models import User

# `GET /api-public/v1/incidents` shows "currently open, acknowledged and recently resolved"
# incidents (NOTES (b)); "recently" is the last 24 hours, counted from the resolution.
RECENTLY_RESOLVED = timedelta(hours=24)

# Bound on the ids in one IN (...) list: SQLite's variable limit and PostgreSQL's plan cost.
_CHUNK = 500


def alert_url(uuid: str) -> str:
    return f"/api-public/v1/alerts/{uuid}"


def policy_url(slug: str) -> str:
    return f"/api-public/v1/policies/{slug}"


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class RelatedRows:
    """The paged policies/teams/users and transitions of a set of incidents, by incident id."""

    def __init__(
        self, session: Session, org_id: int, incident_ids: Sequence[int] | Select[int]
    ) -> None:
        """`incident_ids`: a page of ids, or a query selecting them (for long lists, where
        one subquery beats many IN lists)."""
        self.policies: dict[int, list[EscalationPolicyInfo]] = defaultdict(list)
        self.teams: dict[int, list[str]] = defaultdict(list)
        self.users: dict[int, list[str]] = defaultdict(list)
        self.transitions: dict[int, list[IncidentTransition]] = defaultdict(list)
        if isinstance(incident_ids, Select):
            self._load(session, org_id, incident_ids)
            return
        for ids in _chunks(incident_ids):
            self._load(session, org_id, ids)

    def _load(self, session: Session, org_id: int, ids: Sequence[int] | Select[int]) -> None:
        policy_rows = session.execute(
            select(
                IncidentPagedPolicy.incident_id,
                EscalationPolicy.name,
                EscalationPolicy.slug,
                Team.name,
                Team.slug,
            )
            .join(EscalationPolicy, EscalationPolicy.id == IncidentPagedPolicy.policy_id)
            .join(Team, Team.id == EscalationPolicy.team_id)
            .where(IncidentPagedPolicy.org_id == org_id, IncidentPagedPolicy.incident_id.in_(ids))
            .order_by(IncidentPagedPolicy.incident_id, EscalationPolicy.name, EscalationPolicy.slug)
        )
        for incident_id, p_name, p_slug, t_name, t_slug in policy_rows:
            self.policies[incident_id].append(
                EscalationPolicyInfo(
                    policy=PolicyRef(name=p_name, slug=p_slug, _selfUrl=policy_url(p_slug)),
                    team=TeamRef(name=t_name, slug=t_slug),
                )
            )
        team_rows = session.execute(
            select(IncidentPagedTeam.incident_id, Team.slug)
            .join(Team, Team.id == IncidentPagedTeam.team_id)
            .where(IncidentPagedTeam.org_id == org_id, IncidentPagedTeam.incident_id.in_(ids))
            .order_by(IncidentPagedTeam.incident_id, Team.slug)
        )
        for incident_id, slug in team_rows:
            self.teams[incident_id].append(slug)
        user_rows = session.execute(
            select(IncidentPagedUser.incident_id, User.username)
            .join(User, User.id == IncidentPagedUser.user_id)
            .where(IncidentPagedUser.org_id == org_id, IncidentPagedUser.incident_id.in_(ids))
            .order_by(IncidentPagedUser.incident_id, User.username)
        )
        for incident_id, username in user_rows:
            self.users[incident_id].append(username)
        # Columns, not ORM objects: a long list carries thousands of these.
        events = session.execute(
            select(
                IncidentEvent.incident_id,
                IncidentEvent.at,
                IncidentEvent.actor,
                IncidentEvent.message,
                IncidentEvent.alert_uuid,
                IncidentEvent.data,
            )
            .where(
                IncidentEvent.org_id == org_id,
                IncidentEvent.incident_id.in_(ids),
                IncidentEvent.kind == EventKind.TRANSITION,
            )
            .order_by(IncidentEvent.incident_id, IncidentEvent.id)
        )
        for incident_id, at, actor, message, alert_uuid, data in events:
            self.transitions[incident_id].append(
                transition_of(at=at, actor=actor, message=message, alert_uuid=alert_uuid, data=data)
            )


def transition_of(
    *,
    at: datetime,
    actor: str | None,
    message: str,
    alert_uuid: str | None,
    data: dict[str, Any] | None,
) -> IncidentTransition:
    """A transition timeline event as `{name, at, by, message, manually, alertId, alertUrl}`."""
    data = data or {}
    by = data.get("by", actor)
    return IncidentTransition(
        name=str(data.get("name", "")),
        at=iso_z(at),
        by=by if isinstance(by, str) else None,
        message=message or None,
        manually=bool(data.get("manually", False)),
        alert_id=alert_uuid,
        alert_url=alert_url(alert_uuid) if alert_uuid else None,
    )


def optional_iso(at: datetime | None) -> str | None:
    return iso_z(at) if at is not None else None


def incident_info(incident: Incident, related: RelatedRows) -> IncidentInfo:
    return IncidentInfo(
        incident_number=str(incident.number),
        start_time=iso_z(incident.started_at),
        current_phase=incident.phase,
        alert_count=incident.alert_count,
        last_alert_time=optional_iso(incident.last_alert_at),
        last_alert_id=incident.last_alert_uuid,
        entity_id=incident.entity_id,
        entity_display_name=incident.entity_display_name or None,
        entity_state=incident.entity_state or None,
        entity_type=incident.entity_type or None,
        routing_key=incident.routing_key,
        host=incident.host,
        service=incident.service,
        paged_users=related.users.get(incident.id, []),
        paged_teams=related.teams.get(incident.id, []),
        paged_policies=related.policies.get(incident.id, []),
        transitions=related.transitions.get(incident.id, []),
        first_alert_uuid=incident.first_alert_uuid,
        monitor_name=incident.monitor_name,
        monitor_type=incident.monitor_type,
    )


def parse_incident_number(text: str) -> int | None:
    """`"42"` → 42; anything that is not a plain positive number names no incident."""
    text = text.strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def find_incident(session: Session, org_id: int, number: str | int) -> Incident | None:
    value = number if isinstance(number, int) else parse_incident_number(number)
    if value is None:
        return None
    return session.scalar(
        select(Incident).where(Incident.org_id == org_id, Incident.number == value)
    )


def get_incident(session: Session, org_id: int, number: str | int) -> Incident:
    """The incident by number; a number that is not one is a 400, an unknown one a 404."""
    if isinstance(number, str) and parse_incident_number(number) is None:
        raise InvalidInput(
            f"incidentNumber must be a positive integer, got '{number}'", field="incidentNumber"
        )
    incident = find_incident(session, org_id, number)
    if incident is None:
        raise NotFound(f"Incident {number} not found", field="incidentNumber")
    return incident


def get_incident_info(session: Session, org_id: int, number: str | int) -> IncidentInfo:
    incident = get_incident(session, org_id, number)
    return incident_info(incident, RelatedRows(session, org_id, [incident.id]))


def list_current_incidents(session: Session, org_id: int, *, now: datetime) -> list[IncidentInfo]:
    """Open, acknowledged, and resolved within the last 24 hours, by incident number."""
    # Two index reads (org+phase, org+resolved_at) joined by UNION ALL, so the database reads
    # only the current incidents however long the history; an OR, or `phase != RESOLVED`,
    # led SQLite's planner to walk every incident of the organization by number.
    open_ids = select(Incident.id).where(
        Incident.org_id == org_id, Incident.phase.in_((Phase.UNACKED, Phase.ACKED))
    )
    recent_ids = select(Incident.id).where(
        Incident.org_id == org_id,
        Incident.resolved_at >= now - RECENTLY_RESOLVED,
        Incident.phase == Phase.RESOLVED,
    )
    current = (Incident.id.in_(union_all(open_ids, recent_ids)),)
    incidents = list(session.scalars(select(Incident).where(*current).order_by(Incident.number)))
    # The list may hold thousands: the related rows come by one subquery, not by IN lists.
    related = RelatedRows(session, org_id, select(Incident.id).where(*current))
    return [incident_info(i, related) for i in incidents]


def _epoch_seconds(at: datetime) -> int:
    return int(at.timestamp())


def get_alert(session: Session, org_id: int, uuid: str) -> GetAlertResponse:
    """`GET /api-public/v1/alerts/{uuid}`: the alert as processed, with its raw JSON text."""
    alert = (
        None
        if "\x00" in uuid  # no alert has such an id; PostgreSQL would refuse the query
        else session.scalar(select(Alert).where(Alert.org_id == org_id, Alert.uuid == uuid))
    )
    if alert is None:
        raise NotFound(f"Alert {uuid} not found", field="uuid")
    fields: dict[str, Any] = alert.fields or {}
    ack_msg = fields.get("ack_msg")
    ack_author = fields.get("ack_author")
    return GetAlertResponse(
        message_type=alert.message_type,
        entity_id=alert.entity_id,
        timestamp=_epoch_seconds(alert.timestamp),
        state_start_time=_epoch_seconds(alert.state_start_time),
        state_message=alert.state_message or None,
        monitoring_tool=alert.monitoring_tool,
        entity_display_name=alert.entity_display_name or None,
        ack_msg=ack_msg if isinstance(ack_msg, str) else None,
        ack_author=ack_author if isinstance(ack_author, str) else None,
        raw=alert.raw,
    )


def find_user(session: Session, org_id: int, username: str) -> User | None:
    """A user of the organization by username (usernames are stored lower case)."""
    if "\x00" in username:  # no username holds NUL; PostgreSQL would refuse the query
        return None
    return session.scalar(
        select(User).where(User.org_id == org_id, User.username == username.strip().lower())
    )


def get_user(session: Session, org_id: int, username: str, *, field: str = "userName") -> User:
    """NOTES (b)/(d): an unknown user in a command body is a 404 "User not found"."""
    user = find_user(session, org_id, username)
    if user is None:
        raise NotFound("User not found", field=field)
    return user


def actor_for_key(session: Session, org_id: int, created_by_user_id: int | None) -> str:
    """Who an API-key call acts as on the timeline: the key's creator, else "api"."""
    if created_by_user_id is not None:
        username = session.scalar(
            select(User.username).where(User.org_id == org_id, User.id == created_by_user_id)
        )
        if username is not None:
            return username
    return "api"
