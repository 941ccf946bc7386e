"""Read side of incidents: current list, one incident, incident history, alerts, as wire models.

Lists load their incidents first and then, per page, the paged policies, teams, users and the
transitions of all of them in a few IN queries, never one query per incident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Row, Select, bindparam, select, union_all
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
from openoncall.incidents.schemas import GetAlertResponse
from openoncall.list_window import WHOLE, Page
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


# The current incidents (NOTES (b): "currently open, acknowledged and recently resolved"):
# index reads (org+phase per open phase, org+resolved_at) joined by UNION ALL, so the
# database reads only these however long the history. An OR, or `phase != RESOLVED`, led
# SQLite's planner to walk every incident of the organization by number; one equality per
# phase, not an IN of literals, which SQLAlchemy renders afresh on every execution.
_ORG: BindParameter[int] = bindparam("org_id")
_CURRENT_IDS = union_all(
    *(
        select(Incident.id).where(Incident.org_id == _ORG, Incident.phase == phase)
        for phase in (Phase.UNACKED, Phase.ACKED)
    ),
    select(Incident.id).where(
        Incident.org_id == _ORG,
        Incident.resolved_at >= bindparam("since"),
        Incident.phase == Phase.RESOLVED,
    ),
)
_IS_CURRENT = Incident.id.in_(_CURRENT_IDS)


@dataclass(frozen=True, slots=True)
class _RelatedQueries:
    """The four reads of RelatedRows, built once (statement construction and its cache key
    cost more per request than SQLite's answer) for one way of naming the incidents."""

    policies: Select[*tuple[Any, ...]]
    teams: Select[*tuple[Any, ...]]
    users: Select[*tuple[Any, ...]]
    transitions: Select[*tuple[Any, ...]]

    @classmethod
    def over(cls, ids: Any) -> _RelatedQueries:
        return cls(
            policies=select(
                IncidentPagedPolicy.incident_id,
                EscalationPolicy.name,
                EscalationPolicy.slug,
                Team.name,
                Team.slug,
            )
            .join(EscalationPolicy, EscalationPolicy.id == IncidentPagedPolicy.policy_id)
            .join(Team, Team.id == EscalationPolicy.team_id)
            .where(IncidentPagedPolicy.org_id == _ORG, IncidentPagedPolicy.incident_id.in_(ids))
            .order_by(
                IncidentPagedPolicy.incident_id, EscalationPolicy.name, EscalationPolicy.slug
            ),
            teams=select(IncidentPagedTeam.incident_id, Team.slug)
            .join(Team, Team.id == IncidentPagedTeam.team_id)
            .where(IncidentPagedTeam.org_id == _ORG, IncidentPagedTeam.incident_id.in_(ids))
            .order_by(IncidentPagedTeam.incident_id, Team.slug),
            users=select(IncidentPagedUser.incident_id, User.username)
            .join(User, User.id == IncidentPagedUser.user_id)
            .where(IncidentPagedUser.org_id == _ORG, IncidentPagedUser.incident_id.in_(ids))
            .order_by(IncidentPagedUser.incident_id, User.username),
            # Columns, not ORM objects: a long list carries thousands of these.
            transitions=select(
                IncidentEvent.incident_id,
                IncidentEvent.at,
                IncidentEvent.actor,
                IncidentEvent.message,
                IncidentEvent.alert_uuid,
                IncidentEvent.data,
            )
            .where(
                IncidentEvent.org_id == _ORG,
                IncidentEvent.incident_id.in_(ids),
                IncidentEvent.kind == EventKind.TRANSITION,
            )
            .order_by(IncidentEvent.incident_id, IncidentEvent.id),
        )


_BY_IDS = _RelatedQueries.over(bindparam("ids", expanding=True))
# A whole current list may hold thousands: one subquery beats many IN lists.
_OF_CURRENT = _RelatedQueries.over(select(Incident.id).where(_IS_CURRENT).scalar_subquery())


class RelatedRows:
    """The paged policies/teams/users and transitions of a set of incidents, by incident id,
    in their wire form (plain JSON data, encoded once by the caller)."""

    def __init__(self, session: Session, org_id: int, incident_ids: Sequence[int]) -> None:
        self.policies: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.teams: dict[int, list[str]] = defaultdict(list)
        self.users: dict[int, list[str]] = defaultdict(list)
        self.transitions: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for ids in _chunks(incident_ids):
            self._load(session, _BY_IDS, {"org_id": org_id, "ids": list(ids)})

    @classmethod
    def of_current(cls, session: Session, org_id: int, since: datetime) -> RelatedRows:
        """Those of every current incident (incidents resolved at or after `since`)."""
        related = cls(session, org_id, [])
        related._load(session, _OF_CURRENT, {"org_id": org_id, "since": since})
        return related

    def _load(self, session: Session, queries: _RelatedQueries, params: dict[str, Any]) -> None:
        run = session.connection().execute
        for incident_id, p_name, p_slug, t_name, t_slug in run(queries.policies, params):
            # EscalationPolicyInfo's wire form.
            self.policies[incident_id].append(
                {
                    "policy": {"name": p_name, "slug": p_slug, "_selfUrl": policy_url(p_slug)},
                    "team": {"name": t_name, "slug": t_slug},
                }
            )
        for incident_id, slug in run(queries.teams, params):
            self.teams[incident_id].append(slug)
        for incident_id, username in run(queries.users, params):
            self.users[incident_id].append(username)
        for incident_id, at, actor, message, alert_uuid, data in run(queries.transitions, params):
            self.transitions[incident_id].append(
                transition_wire(
                    at=at, actor=actor, message=message, alert_uuid=alert_uuid, data=data
                )
            )


def transition_wire(
    *,
    at: datetime,
    actor: str | None,
    message: str,
    alert_uuid: str | None,
    data: dict[str, Any] | None,
) -> dict[str, Any]:
    """A transition timeline event as `{name, at, by, message, manually, alertId, alertUrl}`
    (IncidentTransition's wire form)."""
    data = data or {}
    by = data.get("by", actor)
    return {
        "name": str(data.get("name", "")),
        "at": iso_z(at),
        "by": by if isinstance(by, str) else None,
        "message": message or None,
        "manually": bool(data.get("manually", False)),
        "alertId": alert_uuid,
        "alertUrl": alert_url(alert_uuid) if alert_uuid else None,
    }


def optional_iso(at: datetime | None) -> str | None:
    return iso_z(at) if at is not None else None


# The incident columns the wire forms read: lists select these, never whole ORM rows.
INCIDENT_COLUMNS = (
    Incident.id,
    Incident.number,
    Incident.started_at,
    Incident.phase,
    Incident.alert_count,
    Incident.last_alert_at,
    Incident.last_alert_uuid,
    Incident.entity_id,
    Incident.entity_display_name,
    Incident.entity_state,
    Incident.entity_type,
    Incident.routing_key,
    Incident.host,
    Incident.service,
    Incident.first_alert_uuid,
    Incident.monitor_name,
    Incident.monitor_type,
)


def incident_wire(
    incident: Row[*tuple[Any, ...]] | Incident, related: RelatedRows
) -> dict[str, Any]:
    """IncidentInfo's wire form, from an incident row (INCIDENT_COLUMNS) or object."""
    return {
        "incidentNumber": str(incident.number),
        "startTime": iso_z(incident.started_at),
        "currentPhase": str(incident.phase),
        "alertCount": incident.alert_count,
        "lastAlertTime": optional_iso(incident.last_alert_at),
        "lastAlertId": incident.last_alert_uuid,
        "entityId": incident.entity_id,
        "entityDisplayName": incident.entity_display_name or None,
        "entityState": incident.entity_state or None,
        "entityType": incident.entity_type or None,
        "routingKey": incident.routing_key,
        "host": incident.host,
        "service": incident.service,
        "pagedUsers": related.users.get(incident.id, []),
        "pagedTeams": related.teams.get(incident.id, []),
        "pagedPolicies": related.policies.get(incident.id, []),
        "transitions": related.transitions.get(incident.id, []),
        "firstAlertUuid": incident.first_alert_uuid,
        "monitorName": incident.monitor_name,
        "monitorType": incident.monitor_type,
    }


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


def get_incident_wire(session: Session, org_id: int, number: str | int) -> dict[str, Any]:
    """One incident in IncidentInfo's wire form."""
    incident = get_incident(session, org_id, number)
    return incident_wire(incident, RelatedRows(session, org_id, [incident.id]))


_CURRENT_LIST = select(*INCIDENT_COLUMNS).where(_IS_CURRENT).order_by(Incident.number)


def list_current_incidents(
    session: Session, org_id: int, *, now: datetime, page: Page = WHOLE
) -> list[dict[str, Any]]:
    """Open, acknowledged, and resolved within the last 24 hours, by incident number; in
    IncidentInfo's wire form."""
    since = now - RECENTLY_RESOLVED
    params = {"org_id": org_id, "since": since}
    rows = session.connection().execute(page.applied(_CURRENT_LIST), params).all()
    related = (
        RelatedRows.of_current(session, org_id, since)
        if page.is_whole
        else RelatedRows(session, org_id, [row.id for row in rows])
    )
    return [incident_wire(row, related) for row in rows]


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
