"""Alert ingestion for a batch of alerts in one transaction: rules → routing → maintenance →
dedup by entity_id → incident lifecycle → rows (alerts, incidents, timeline, paging jobs).

This is the hot path (every REST and email alert comes through here, batched by the group
commit writer in `alerts/writer.py`), so it works with SQLAlchemy Core statements and
`executemany`, not ORM objects: per alert it costs a few dict operations, while the
statements are paid once per batch. It makes the same decisions as the one-at-a-time
incident service (`incidents/service.py`): the phase changes come from the pure state
machine `incidents/lifecycle.py`, numbers from `allocate_incident_numbers`, and an opening
hands over to the engine exactly as `open_incident` does (see that module's docstring).

Dedup under concurrency: within a process there is one writer, so alerts for one entity are
applied in order. Across processes (PostgreSQL), the open incidents of the batch's entities
are locked (`FOR UPDATE`), and the unique index on `incident.open_entity_id` rejects a
second open incident for an entity: the writer then retries the whole batch, which finds
the other process's incident and aggregates into it.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from openoncall.alert_rules import matcher
from openoncall.alert_rules.service import load_rules
from openoncall.alerts.models import AlertSource, alert_table
from openoncall.alerts.payload import AlertData, normalize
from openoncall.engine.jobs import Job
from openoncall.engine.queue import WAKE_FLAG
from openoncall.errors import InvalidTransition
from openoncall.incidents import lifecycle
from openoncall.incidents.models import (
    EventKind,
    Phase,
    incident_event_table,
    incident_paged_policy_table,
    incident_paged_team_table,
    incident_table,
)
from openoncall.incidents.service import (
    ESCALATION_START,
    allocate_incident_numbers,
    start_dedupe_key,
)
from openoncall.maintenance.service import MaintenanceView, active_view
from openoncall.orgs.models import Organization
from openoncall.policies.models import EscalationPolicy
from openoncall.routing.service import RoutingTable, load_routing_table

log = logging.getLogger(__name__)

OPENING_TYPES = ("CRITICAL",)


def _job_table() -> Table:
    table = Job.__table__
    assert isinstance(table, Table)
    return table


job_table = _job_table()
AGGREGATING_TYPES = ("CRITICAL", "WARNING")


@dataclass(frozen=True, slots=True)
class Submission:
    """One received alert, before the rules: the endpoint key's hash, the parsed fields
    (`entity_id` already filled in) and the payload exactly as received."""

    key_hash: str
    source: str
    routing_key: str | None
    fields: dict[str, Any]
    raw: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Accepted:
    entity_id: str
    alert_uuid: str
    incident_number: int | None


# None: the endpoint key matches no organization (the endpoint answers 404).
Result = Accepted | None


@dataclass(frozen=True, slots=True)
class OrgContext:
    """What routing one org's alerts needs, read once per batch."""

    org_id: int
    is_warning_incident: bool
    routing: RoutingTable
    rules: list[matcher.Rule]
    maintenance: MaintenanceView
    policy_teams: dict[int, int]


@dataclass(frozen=True, slots=True)
class Routed:
    """An alert after the rules engine and routing."""

    submission: Submission
    ctx: OrgContext
    fields: dict[str, Any]
    data: AlertData
    routed_key: str
    is_muted: bool
    matched_rules: tuple[int, ...]


@dataclass
class _Incident:
    """An incident as this batch sees it; `values` are its column values."""

    values: dict[str, Any]
    is_new: bool
    policies: tuple[int, ...] = ()
    teams: tuple[int, ...] = ()
    id: int | None = None
    dirty: bool = False


@dataclass
class _Plan:
    incidents: list[_Incident] = field(default_factory=list)
    alerts: list[tuple[dict[str, Any], _Incident | None]] = field(default_factory=list)
    events: list[tuple[dict[str, Any], _Incident]] = field(default_factory=list)


# ------------------------------------------------------------------ context


def load_org_context(
    session: Session, org_id: int, *, is_warning_incident: bool, now: datetime
) -> OrgContext:
    routing = load_routing_table(session, org_id, now=now)
    policy_ids = {p for ps in routing.policies_by_key.values() for p in ps}
    policy_teams: dict[int, int] = {}
    if policy_ids:
        policy_teams = dict(
            session.execute(
                select(EscalationPolicy.id, EscalationPolicy.team_id).where(
                    EscalationPolicy.org_id == org_id, EscalationPolicy.id.in_(policy_ids)
                )
            ).all()
        )
    return OrgContext(
        org_id=org_id,
        is_warning_incident=is_warning_incident,
        routing=routing,
        rules=load_rules(session, org_id),
        maintenance=active_view(session, org_id),
        policy_teams=policy_teams,
    )


def route_alert(ctx: OrgContext, submission: Submission) -> Routed:
    """Rules first (they may rewrite fields and pick a routing key), then the routing table."""
    outcome = matcher.apply_rules(ctx.rules, submission.fields)
    fields = outcome.fields
    original_type = normalize(
        submission.fields, original_type="INFO", received_at=submission.received_at
    ).message_type
    data = normalize(fields, original_type=original_type, received_at=submission.received_at)
    if not data.entity_id:
        # A rule blanked the entity: keep the one the alert came with.
        fields["entity_id"] = submission.fields["entity_id"]
        data = normalize(fields, original_type=original_type, received_at=submission.received_at)
    requested = outcome.route_key or submission.routing_key
    routed_key = ctx.routing.route(requested)
    is_muted = ctx.maintenance.covers(routed_key, requested, submission.routing_key)
    return Routed(
        submission=submission,
        ctx=ctx,
        fields=fields,
        data=data,
        routed_key=routed_key,
        is_muted=is_muted,
        matched_rules=outcome.matched,
    )


# ------------------------------------------------------------------ the batch


def _find_orgs(session: Session, submissions: Sequence[Submission]) -> dict[str, Organization]:
    rest = {s.key_hash for s in submissions if s.source == AlertSource.REST}
    email = {s.key_hash for s in submissions if s.source == AlertSource.EMAIL}
    found: dict[str, Organization] = {}
    if not rest and not email:
        return found
    for org in session.scalars(
        select(Organization).where(
            or_(Organization.rest_key_hash.in_(rest), Organization.email_key_hash.in_(email))
        )
    ):
        if org.rest_key_hash in rest:
            found[f"{AlertSource.REST}:{org.rest_key_hash}"] = org
        if org.email_key_hash in email:
            found[f"{AlertSource.EMAIL}:{org.email_key_hash}"] = org
    return found


def _load_open(session: Session, org_id: int, entity_ids: set[str]) -> dict[str, _Incident]:
    """The open incidents of these entities, locked on PostgreSQL until commit."""
    if not entity_ids:
        return {}
    t = incident_table
    rows = session.connection().execute(
        select(t)
        .where(t.c.org_id == org_id, t.c.open_entity_id.in_(entity_ids))
        .order_by(t.c.id)
        .with_for_update()
    )
    found: dict[str, _Incident] = {}
    for row in rows.mappings():
        values = dict(row)
        found[values["entity_id"]] = _Incident(values=values, is_new=False, id=values["id"])
    return found


def ingest_batch(
    session: Session, submissions: Sequence[Submission], *, now: datetime
) -> list[Result]:
    """Apply every submission in order, in the caller's transaction; one result each."""
    orgs = _find_orgs(session, submissions)
    contexts: dict[int, OrgContext] = {}
    routed: list[Routed | None] = []
    for sub in submissions:
        org = orgs.get(f"{sub.source}:{sub.key_hash}")
        if org is None:
            routed.append(None)
            continue
        ctx = contexts.get(org.id)
        if ctx is None:
            ctx = load_org_context(
                session, org.id, is_warning_incident=org.is_warning_incident, now=now
            )
            contexts[org.id] = ctx
        typed = sub
        if "message_type" not in sub.fields:
            # An email whose subject names no type: the org's "Email Options" setting decides.
            fields = {**sub.fields, "message_type": org.email_default_message_type}
            typed = dataclasses.replace(sub, fields=fields)
        routed.append(route_alert(ctx, typed))

    open_by_org: dict[int, dict[str, _Incident]] = {}
    for org_id in contexts:
        entities = {r.data.entity_id for r in routed if r is not None and r.ctx.org_id == org_id}
        open_by_org[org_id] = _load_open(session, org_id, entities)

    plan = _Plan()
    results: list[Result] = []
    attached: list[_Incident | None] = []
    for item in routed:
        if item is None:
            results.append(None)
            attached.append(None)
            continue
        alert_uuid = str(uuid.uuid4())
        incident = _apply(plan, item, alert_uuid, open_by_org[item.ctx.org_id], now)
        attached.append(incident)
        results.append(
            Accepted(entity_id=item.data.entity_id, alert_uuid=alert_uuid, incident_number=None)
        )

    _write(session, plan, now)
    return [
        None
        if r is None
        else Accepted(
            entity_id=r.entity_id,
            alert_uuid=r.alert_uuid,
            incident_number=inc.values["number"] if inc is not None else None,
        )
        for r, inc in zip(results, attached, strict=True)
    ]


def _alert_event(item: Routed, alert_uuid: str) -> dict[str, Any]:
    data: dict[str, Any] = {"messageType": item.data.message_type, "entityId": item.data.entity_id}
    if item.matched_rules:
        data["rules"] = list(item.matched_rules)
    annotations = {k: v for k, v in item.fields.items() if k.startswith("vo_annotate.")}
    if annotations:
        data["annotations"] = annotations
    return {
        "org_id": item.ctx.org_id,
        "kind": EventKind.ALERT.value,
        "at": item.submission.received_at,
        "actor": item.data.monitoring_tool,
        "message": item.data.state_message,
        "alert_uuid": alert_uuid,
        "data": data,
    }


def _transition_event(org_id: int, transition: lifecycle.Transition) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "kind": EventKind.TRANSITION.value,
        "at": transition.at,
        "actor": transition.by,
        "message": transition.message,
        "alert_uuid": transition.alert_id,
        "data": transition.to_data(),
    }


def _apply(
    plan: _Plan,
    item: Routed,
    alert_uuid: str,
    open_incidents: dict[str, _Incident],
    now: datetime,
) -> _Incident | None:
    """Decide what one alert does, updating the batch's view of the open incidents."""
    data = item.data
    org_id = item.ctx.org_id
    at = item.submission.received_at
    incident = open_incidents.get(data.entity_id)
    opens = data.message_type in OPENING_TYPES or (
        data.message_type == "WARNING" and item.ctx.is_warning_incident
    )

    if incident is None and opens:
        incident = _open(plan, item, alert_uuid, now)
        open_incidents[data.entity_id] = incident
    elif incident is not None:
        values = incident.values
        plan.events.append((_alert_event(item, alert_uuid), incident))
        if data.message_type in AGGREGATING_TYPES:
            values["alert_count"] += 1
            values["last_alert_uuid"] = alert_uuid
            values["last_alert_at"] = at
            values["entity_state"] = data.message_type
            if data.state_message:
                values["state_message"] = data.state_message
            values["updated_at"] = now
            incident.dirty = True
        elif data.message_type == "ACKNOWLEDGEMENT":
            by = data.ack_author or data.monitoring_tool
            try:
                transition = lifecycle.acknowledge(
                    values["phase"],
                    at=at,
                    by=by,
                    message=data.ack_msg or data.state_message,
                    manually=False,
                    alert_id=alert_uuid,
                )
            except InvalidTransition:
                transition = None  # already acknowledged: the alert is on the timeline
            if transition is not None:
                values.update(phase=Phase.ACKED.value, acked_by=by, acked_at=at, updated_at=now)
                incident.dirty = True
                plan.events.append((_transition_event(org_id, transition), incident))
        elif data.message_type == "RECOVERY":
            by = data.ack_author or data.monitoring_tool
            transition = lifecycle.resolve(
                values["phase"],
                at=at,
                by=by,
                message=data.state_message,
                manually=False,
                alert_id=alert_uuid,
            )
            values.update(
                phase=Phase.RESOLVED.value,
                open_entity_id=None,
                resolved_by=by,
                resolved_at=at,
                updated_at=now,
            )
            incident.dirty = True
            plan.events.append((_transition_event(org_id, transition), incident))
            del open_incidents[data.entity_id]
        # INFO (and WARNING when warnings do not open incidents) only adds to the timeline.

    plan.alerts.append(
        (
            {
                "uuid": alert_uuid,
                "org_id": org_id,
                "source": item.submission.source,
                "routing_key": item.submission.routing_key,
                "routed_key": item.routed_key,
                "message_type": data.message_type,
                "entity_id": data.entity_id,
                "entity_display_name": data.entity_display_name,
                "state_message": data.state_message,
                "monitoring_tool": data.monitoring_tool,
                "timestamp": data.timestamp,
                "state_start_time": data.state_start_time,
                "fields": item.fields,
                "raw": item.submission.raw,
                "received_at": at,
            },
            incident,
        )
    )
    return incident


def _open(plan: _Plan, item: Routed, alert_uuid: str, now: datetime) -> _Incident:
    data = item.data
    org_id = item.ctx.org_id
    at = item.submission.received_at
    policies = item.ctx.routing.policies_by_key.get(item.routed_key, ())
    source = item.submission.source
    incident = _Incident(
        values={
            "org_id": org_id,
            "number": None,
            "entity_id": data.entity_id,
            "open_entity_id": data.entity_id,
            "entity_display_name": data.entity_display_name or data.entity_id,
            "entity_state": data.message_type,
            "entity_type": "HOST" if data.entity_is_host else "SERVICE",
            "state_message": data.state_message,
            "phase": Phase.UNACKED.value,
            "routing_key": item.routed_key,
            "alert_count": 1,
            "first_alert_uuid": alert_uuid,
            "last_alert_uuid": alert_uuid,
            "started_at": at,
            "last_alert_at": at,
            "host": data.host,
            "service": data.service,
            "monitoring_tool": data.monitoring_tool,
            "monitor_type": "Email" if source == AlertSource.EMAIL else "API",
            "monitor_name": data.monitoring_tool,
            "is_muted": item.is_muted,
            "is_multi_responder": False,
            "acked_by": None,
            "acked_at": None,
            "resolved_by": None,
            "resolved_at": None,
            "updated_at": now,
        },
        is_new=True,
        policies=() if item.is_muted else policies,
        teams=()
        if item.is_muted
        else tuple(dict.fromkeys(t for p in policies if (t := item.ctx.policy_teams.get(p)))),
    )
    plan.incidents.append(incident)
    plan.events.append((_alert_event(item, alert_uuid), incident))
    opening = lifecycle.trigger(
        at=at,
        by=data.monitoring_tool,
        message=data.entity_display_name or data.entity_id,
        manually=False,
        alert_id=alert_uuid,
    )
    plan.events.append((_transition_event(org_id, opening), incident))
    if item.is_muted:
        plan.events.append(
            (
                {
                    "org_id": org_id,
                    "kind": EventKind.MUTED.value,
                    "at": at,
                    "actor": "system",
                    "message": "Maintenance mode is active: this incident pages nobody",
                    "alert_uuid": None,
                    "data": {
                        "reason": "maintenance",
                        "instanceIds": list(item.ctx.maintenance.instance_ids),
                        "routingKey": item.routed_key,
                        "policyIds": list(policies),
                    },
                },
                incident,
            )
        )
    return incident


_UPDATED_COLUMNS = (
    "phase",
    "open_entity_id",
    "alert_count",
    "last_alert_uuid",
    "last_alert_at",
    "state_message",
    "entity_state",
    "acked_by",
    "acked_at",
    "resolved_by",
    "resolved_at",
    "updated_at",
)


def _write(session: Session, plan: _Plan, now: datetime) -> None:
    conn = session.connection()
    new = [i for i in plan.incidents if i.is_new]
    by_org: dict[int, list[_Incident]] = {}
    for inc in new:
        by_org.setdefault(inc.values["org_id"], []).append(inc)
    for org_id, incs in sorted(by_org.items()):
        for inc, number in zip(
            incs, allocate_incident_numbers(session, org_id, len(incs)), strict=True
        ):
            inc.values["number"] = number
    if new:
        ids = conn.execute(
            insert(incident_table).returning(incident_table.c.id, sort_by_parameter_order=True),
            [inc.values for inc in new],
        ).scalars()
        for inc, new_id in zip(new, ids, strict=True):
            inc.id = new_id

    touched = {id(inc): inc for _row, inc in plan.events}
    dirty = [i for i in touched.values() if i.dirty and not i.is_new]
    if dirty:
        t = incident_table
        conn.execute(
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in _UPDATED_COLUMNS}),
            [{"b_id": i.id, **{f"b_{c}": i.values[c] for c in _UPDATED_COLUMNS}} for i in dirty],
        )

    if plan.alerts:
        conn.execute(
            insert(alert_table),
            [
                {**row, "incident_id": inc.id if inc is not None else None}
                for row, inc in plan.alerts
            ],
        )
    if plan.events:
        conn.execute(
            insert(incident_event_table),
            [{**row, "incident_id": inc.id} for row, inc in plan.events],
        )

    paged = [i for i in new if not i.values["is_muted"]]
    policy_rows = [
        {"org_id": i.values["org_id"], "incident_id": i.id, "policy_id": p}
        for i in paged
        for p in dict.fromkeys(i.policies)
    ]
    if policy_rows:
        conn.execute(insert(incident_paged_policy_table), policy_rows)
    team_rows = [
        {"org_id": i.values["org_id"], "incident_id": i.id, "team_id": t}
        for i in paged
        for t in i.teams
    ]
    if team_rows:
        conn.execute(insert(incident_paged_team_table), team_rows)
    if paged:
        # The hand-over to the engine (see incidents/service.py): one escalation.start job per
        # unmuted new incident, in this transaction; the dedupe keys are new ids, so unique.
        conn.execute(
            insert(job_table),
            [
                {
                    "org_id": i.values["org_id"],
                    "kind": ESCALATION_START,
                    "payload": {"incident_id": i.id},
                    "due_at": now,
                    "dedupe_key": start_dedupe_key(_id(i)),
                    "attempts": 0,
                    "created_at": now,
                }
                for i in paged
            ],
        )
        session.info[WAKE_FLAG] = True


def _id(incident: _Incident) -> int:
    assert incident.id is not None
    return incident.id
