"""Alert ingestion for a batch of alerts in one transaction: rules → routing → maintenance →
dedup by entity_id → incident lifecycle → rows (alerts, incidents, timeline, paging jobs).

This is the hot path (every REST and email alert comes through here, batched by the group
commit writer in `alerts/writer.py`). Measured, SQLAlchemy's per-row parameter processing
and ORM objects cost more than everything else together, so the batch decides in plain
Python and writes with one driver-level `executemany` per table (`_Writer`), converting the
few typed values (instants, JSON) itself exactly as the column types would. It makes the
same decisions as the one-at-a-time incident service (`incidents/service.py`): the phase
changes come from the pure state machine `incidents/lifecycle.py`, numbers from
`allocate_incident_numbers`, and an opening hands over to the engine exactly as
`open_incident` does (see that module's docstring).

Dedup under concurrency: within a process there is one writer, so alerts for one entity are
applied in order. Across processes (PostgreSQL), the open incidents of the batch's entities
are locked (`FOR UPDATE`), and the unique index on `incident.open_entity_id` rejects a
second open incident for an entity: the writer then retries the whole batch, which finds
the other process's incident and aggregates into it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from openoncall.alert_rules import matcher
from openoncall.alert_rules.service import load_rules
from openoncall.alerts.models import AlertSource
from openoncall.alerts.payload import AlertData, message_type_of, normalize
from openoncall.engine.queue import WAKE_FLAG
from openoncall.errors import InvalidTransition
from openoncall.incidents import lifecycle
from openoncall.incidents.models import EventKind, Phase
from openoncall.incidents.service import (
    ESCALATION_START,
    allocate_incident_numbers,
    start_dedupe_key,
)
from openoncall.maintenance.service import MaintenanceView, active_view
from openoncall.observe import events
from openoncall.policies.models import EscalationPolicy
from openoncall.routing.service import (
    RoutingTable,
    ensure_default_routing_key,
    load_routing_table,
)

log = logging.getLogger(__name__)

OPENING_TYPES = ("CRITICAL",)
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
class OrgRow:
    id: int
    is_warning_incident: bool
    email_default_message_type: str


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
    """An incident as this batch sees it.

    New incidents carry every column in `values`. Existing ones carry what was read (id,
    number, phase) and what this batch changes: `added` alerts and the newest alert's fields
    (written as an increment, so no other column needs reading), and `transition` columns
    when an ACK or RECOVERY changed the phase.
    """

    values: dict[str, Any]
    is_new: bool
    policies: tuple[int, ...] = ()
    teams: tuple[int, ...] = ()
    id: int | None = None
    added: int = 0
    last: dict[str, Any] = field(default_factory=dict)
    transition: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    new: list[_Incident] = field(default_factory=list)
    touched: dict[int, _Incident] = field(default_factory=dict)
    alerts: list[tuple[dict[str, Any], _Incident | None]] = field(default_factory=list)
    events: list[tuple[dict[str, Any], _Incident]] = field(default_factory=list)


# ------------------------------------------------------------------ context


def load_org_context(
    session: Session, org_id: int, *, is_warning_incident: bool, now: datetime
) -> OrgContext:
    """Routing keys, rules, maintenance and policy teams of one org (for the dry run and
    anything else outside the hot path; the writer uses `_read_org_context`)."""
    routing = load_routing_table(session, org_id, now=now)
    policy_ids = {p for ps in routing.policies_by_key.values() for p in ps}
    policy_teams: dict[int, int] = {}
    if policy_ids:
        policy_teams = {
            row.id: row.team_id
            for row in session.connection().execute(
                select(EscalationPolicy.id, EscalationPolicy.team_id).where(
                    EscalationPolicy.org_id == org_id, EscalationPolicy.id.in_(policy_ids)
                )
            )
        }
    return OrgContext(
        org_id=org_id,
        is_warning_incident=is_warning_incident,
        routing=routing,
        rules=load_rules(session, org_id),
        maintenance=active_view(session, org_id),
        policy_teams=policy_teams,
    )


def _json_value(value: Any) -> Any:
    # psycopg parses json columns; sqlite3 hands back the text.
    return json.loads(value) if isinstance(value, str) else value


_ROUTING_SQL = (
    "SELECT k.key, k.is_default, t.policy_id, p.team_id FROM routing_key k "
    "LEFT JOIN routing_key_target t ON t.routing_key_id = k.id "
    "LEFT JOIN escalation_policy p ON p.id = t.policy_id "
    "WHERE k.org_id = ? ORDER BY k.id, t.position"
)
_RULES_SQL = (
    "SELECT id, alert_field, alert_value_match, match_type, rank, stop_flag, route_key "
    "FROM alert_rule WHERE org_id = ? ORDER BY rank, id"
)
_ANNOTATIONS_SQL = (
    "SELECT rule_id, annotation_type, field_name, field_value, flags "
    "FROM alert_rule_annotation WHERE org_id = ? ORDER BY rule_id, position"
)
_MAINTENANCE_SQL = (
    "SELECT instance_id, is_global, routing_keys FROM maintenance_mode "
    "WHERE org_id = ? AND ended_at IS NULL ORDER BY started_at, id"
)


def _read_org_context(
    session: Session, org_id: int, *, is_warning_incident: bool, now: datetime
) -> OrgContext:
    """The same as `load_org_context`, in five prepared driver-level queries: building and
    compiling SQLAlchemy statements cost more than running them, once per batch.

    Mirrors routing.service.load_routing_table, alert_rules.service.load_rules and
    maintenance.service.active_view; tests/api cover both paths through the endpoint and
    the dry run.
    """
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"

    def q(sql: str) -> str:
        return sql.replace("?", "%s") if pg else sql

    run = conn.exec_driver_sql
    rows = run(
        q(_ROUTING_SQL),
        (org_id,),
    ).all()
    default_key = next((r[0] for r in rows if r[1]), None)
    if default_key is None:
        default_key = ensure_default_routing_key(session, org_id, now=now)
    policies: dict[str, list[int]] = {default_key: []}
    policy_teams: dict[int, int] = {}
    for key, _is_default, policy_id, team_id in rows:
        policies.setdefault(key, [])
        if policy_id is not None:
            policies[key].append(policy_id)
            policy_teams[policy_id] = team_id
    routing = RoutingTable(
        default_key=default_key, policies_by_key={k: tuple(v) for k, v in policies.items()}
    )

    rules: list[matcher.Rule] = []
    rule_rows = run(
        q(_RULES_SQL),
        (org_id,),
    ).all()
    if rule_rows:
        notes: dict[int, list[matcher.Annotation]] = {r[0]: [] for r in rule_rows}
        for rule_id, kind, name, value, flags in run(
            q(_ANNOTATIONS_SQL),
            (org_id,),
        ):
            if rule_id in notes:
                notes[rule_id].append(matcher.Annotation(kind, name, value, flags))
        rules = [
            matcher.Rule(
                id=r[0],
                alert_field=r[1],
                alert_value_match=r[2],
                match_type=r[3],
                rank=r[4],
                stop_flag=bool(r[5]),
                route_key=r[6],
                annotations=tuple(notes[r[0]]),
            )
            for r in rule_rows
        ]

    windows = run(
        q(_MAINTENANCE_SQL),
        (org_id,),
    ).all()
    keys: set[str] = set()
    for window in windows:
        keys.update(_json_value(window[2]) or [])
    maintenance = MaintenanceView(
        is_global=any(bool(w[1]) for w in windows),
        routing_keys=frozenset(keys),
        instance_ids=tuple(w[0] for w in windows),
    )
    return OrgContext(
        org_id=org_id,
        is_warning_incident=is_warning_incident,
        routing=routing,
        rules=rules,
        maintenance=maintenance,
        policy_teams=policy_teams,
    )


def route_alert(ctx: OrgContext, submission: Submission) -> Routed:
    """Rules first (they may rewrite fields and pick a routing key), then the routing table."""
    original_type = message_type_of(submission.fields.get("message_type")) or "INFO"
    received_at = submission.received_at
    if ctx.rules:
        outcome = matcher.apply_rules(ctx.rules, submission.fields)
        fields, route_key, matched = outcome.fields, outcome.route_key, outcome.matched
    else:
        fields, route_key, matched = dict(submission.fields), None, ()
    data = normalize(fields, original_type=original_type, received_at=received_at)
    if not data.entity_id:
        # A rule blanked the entity: keep the one the alert came with.
        fields["entity_id"] = submission.fields["entity_id"]
        data = normalize(fields, original_type=original_type, received_at=received_at)
    requested = route_key or submission.routing_key
    routed_key = ctx.routing.route(requested)
    is_muted = ctx.maintenance.covers(routed_key, requested, submission.routing_key)
    return Routed(
        submission=submission,
        ctx=ctx,
        fields=fields,
        data=data,
        routed_key=routed_key,
        is_muted=is_muted,
        matched_rules=matched,
    )


# ------------------------------------------------------------------ the batch


def _find_orgs(session: Session, submissions: Sequence[Submission]) -> dict[str, OrgRow]:
    conn = session.connection()
    m = "%s" if conn.dialect.name == "postgresql" else "?"
    found: dict[str, OrgRow] = {}
    for source, column in (
        (AlertSource.REST, "rest_key_hash"),
        (AlertSource.EMAIL, "email_key_hash"),
    ):
        hashes = list({s.key_hash for s in submissions if s.source == source})
        if not hashes:
            continue
        rows = conn.exec_driver_sql(
            f"SELECT id, {column}, is_warning_incident, email_default_message_type "  # noqa: S608
            f"FROM organization WHERE {column} IN ({', '.join([m] * len(hashes))})",
            tuple(hashes),
        )
        for org_id, key_hash, warning, email_default in rows:
            found[f"{source}:{key_hash}"] = OrgRow(org_id, bool(warning), email_default)
    return found


def _load_open(conn: Connection, org_id: int, entity_ids: set[str]) -> dict[str, _Incident]:
    """The open incidents of these entities, locked on PostgreSQL until commit (in id order,
    so two processes lock in the same order).

    `ORDER BY +id` (unary plus, valid on both databases) keeps SQLite from choosing the
    org_id index to satisfy the ORDER BY and scanning every incident of the org instead of
    probing the unique (org_id, open_entity_id) index.
    """
    if not entity_ids:
        return {}
    pg = conn.dialect.name == "postgresql"
    m = "%s" if pg else "?"
    ids = list(entity_ids)
    sql = (
        "SELECT id, number, phase, entity_id FROM incident "  # noqa: S608
        f"WHERE org_id = {m} AND open_entity_id IN ({', '.join([m] * len(ids))}) ORDER BY +id"
        + (" FOR UPDATE" if pg else "")
    )
    return {
        entity_id: _Incident(
            values={"number": number, "phase": phase, "org_id": org_id},
            is_new=False,
            id=incident_id,
        )
        for incident_id, number, phase, entity_id in conn.exec_driver_sql(sql, (org_id, *ids))
    }


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
            ctx = _read_org_context(
                session, org.id, is_warning_incident=org.is_warning_incident, now=now
            )
            contexts[org.id] = ctx
        typed = sub
        if "message_type" not in sub.fields:
            # An email whose subject names no type: the org's "Email Options" setting decides.
            fields = {**sub.fields, "message_type": org.email_default_message_type}
            typed = dataclasses.replace(sub, fields=fields)
        routed.append(route_alert(ctx, typed))

    conn = session.connection()
    open_by_org: dict[int, dict[str, _Incident]] = {}
    for org_id in sorted(contexts):
        entities = {r.data.entity_id for r in routed if r is not None and r.ctx.org_id == org_id}
        open_by_org[org_id] = _load_open(conn, org_id, entities)

    plan = _Plan()
    decided: list[tuple[str, str, _Incident | None] | None] = []
    for item in routed:
        if item is None:
            decided.append(None)
            continue
        alert_uuid = str(uuid.uuid4())
        incident = _apply(plan, item, alert_uuid, open_by_org[item.ctx.org_id], now)
        decided.append((item.data.entity_id, alert_uuid, incident))

    _write(session, plan, now)
    events.after_commit(session, partial(_log_batch, plan))
    return [
        None
        if d is None
        else Accepted(
            entity_id=d[0],
            alert_uuid=d[1],
            incident_number=d[2].values["number"] if d[2] is not None else None,
        )
        for d in decided
    ]


def _log_batch(plan: _Plan) -> None:
    """The accepted alerts and the phase changes they made, once committed."""
    for row, inc in plan.alerts:
        events.alert_accepted(
            org_id=row["org_id"],
            endpoint=str(row["source"]).lower(),
            message_type=row["message_type"],
            entity_id=row["entity_id"],
            alert_uuid=row["uuid"],
            routing_key=row["routed_key"],
            incident_id=None if inc is None else inc.id,
            incident_number=None if inc is None else inc.values.get("number"),
        )
    for row, inc in plan.events:
        if row["kind"] != EventKind.TRANSITION.value:
            continue
        data = row["data"]
        events.incident_transition(
            org_id=row["org_id"],
            incident_id=_id(inc),
            incident_number=inc.values.get("number"),
            transition=data["name"],
            previous=data["previous"],
            by=data.get("by"),
            manually=bool(data.get("manually")),
            alert_uuid=row["alert_uuid"],
        )


# ------------------------------------------------------------------ deciding


def _alert_event(item: Routed, alert_uuid: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "messageType": item.data.message_type,
        "entityId": item.data.entity_id,
    }
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
        plan.events.append((_alert_event(item, alert_uuid), incident))
        if data.message_type in AGGREGATING_TYPES:
            _aggregate(plan, incident, item, alert_uuid, now)
        elif data.message_type == "ACKNOWLEDGEMENT":
            by = data.ack_author or data.monitoring_tool
            try:
                transition = lifecycle.acknowledge(
                    incident.values["phase"],
                    at=at,
                    by=by,
                    message=data.ack_msg or data.state_message,
                    manually=False,
                    alert_id=alert_uuid,
                )
            except InvalidTransition:
                transition = None  # already acknowledged: the alert is on the timeline
            if transition is not None:
                _change_phase(
                    plan,
                    incident,
                    {"phase": Phase.ACKED.value, "acked_by": by, "acked_at": at},
                    now,
                )
                plan.events.append((_transition_event(org_id, transition), incident))
        elif data.message_type == "RECOVERY":
            by = data.ack_author or data.monitoring_tool
            transition = lifecycle.resolve(
                incident.values["phase"],
                at=at,
                by=by,
                message=data.state_message,
                manually=False,
                alert_id=alert_uuid,
            )
            _change_phase(
                plan,
                incident,
                {
                    "phase": Phase.RESOLVED.value,
                    "open_entity_id": None,
                    "resolved_by": by,
                    "resolved_at": at,
                },
                now,
            )
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


def _aggregate(
    plan: _Plan, incident: _Incident, item: Routed, alert_uuid: str, now: datetime
) -> None:
    """alertCount++, lastAlertId/Time and the entity's state follow the newest alert."""
    last = {
        "last_alert_uuid": alert_uuid,
        "last_alert_at": item.submission.received_at,
        "entity_state": item.data.message_type,
        "updated_at": now,
    }
    if item.data.state_message:
        last["state_message"] = item.data.state_message
    if incident.is_new:
        incident.values["alert_count"] += 1
        incident.values.update(last)
        return
    incident.added += 1
    incident.last.update(last)
    plan.touched[id(incident)] = incident


def _change_phase(plan: _Plan, incident: _Incident, columns: dict[str, Any], now: datetime) -> None:
    incident.values["phase"] = columns["phase"]
    if incident.is_new:
        incident.values.update(columns, updated_at=now)
        return
    incident.transition.update(columns, updated_at=now)
    plan.touched[id(incident)] = incident


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
    plan.new.append(incident)
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
        muted = {
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
        }
        plan.events.append((muted, incident))
    return incident


# ------------------------------------------------------------------ writing


class _Writer:
    """Driver-level statements for one dialect: placeholders, instants and JSON as the
    SQLAlchemy column types would write them (UtcDateTime stores naive UTC text on SQLite,
    aware timestamps on PostgreSQL; JSON is `json.dumps` text)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.mark = "%s" if self.pg else "?"
        self.json_mark = "%s::json" if self.pg else "?"
        self._instants: dict[datetime, str] = {}

    def instant(self, value: datetime | None) -> Any:
        if value is None or self.pg:
            return value
        # Most instants of a batch are the same few objects (receipt times, `now`).
        text = self._instants.get(value)
        if text is None:
            utc = value if value.tzinfo is UTC else value.astimezone(UTC)
            # SQLAlchemy's SQLite DATETIME text, "2026-01-05 12:00:00.000000".
            text = utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
            self._instants[value] = text
        return text

    def insert_sql(
        self, table: str, columns: Sequence[str], json_columns: Sequence[str] = ()
    ) -> str:
        marks = ", ".join(self.json_mark if c in json_columns else self.mark for c in columns)
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.exec_driver_sql(sql, rows)


_INCIDENT_COLUMNS = (
    "org_id",
    "number",
    "entity_id",
    "open_entity_id",
    "entity_display_name",
    "entity_state",
    "entity_type",
    "state_message",
    "phase",
    "routing_key",
    "alert_count",
    "first_alert_uuid",
    "last_alert_uuid",
    "started_at",
    "last_alert_at",
    "host",
    "service",
    "monitoring_tool",
    "monitor_type",
    "monitor_name",
    "is_muted",
    "is_multi_responder",
    "acked_by",
    "acked_at",
    "resolved_by",
    "resolved_at",
    "updated_at",
)
_INSTANT_COLUMNS = frozenset(
    {"started_at", "last_alert_at", "acked_at", "resolved_at", "updated_at"}
)
_ALERT_COLUMNS = (
    "uuid",
    "org_id",
    "source",
    "routing_key",
    "routed_key",
    "message_type",
    "entity_id",
    "entity_display_name",
    "state_message",
    "monitoring_tool",
    "timestamp",
    "state_start_time",
    "fields",
    "raw",
    "received_at",
    "incident_id",
)
_EVENT_COLUMNS = ("org_id", "incident_id", "kind", "at", "actor", "message", "alert_uuid", "data")
_JOB_COLUMNS = ("org_id", "kind", "payload", "due_at", "dedupe_key", "attempts", "created_at")


def _id(incident: _Incident) -> int:
    assert incident.id is not None
    return incident.id


def _insert_incidents(w: _Writer, new: list[_Incident]) -> None:
    """One multi-row INSERT … RETURNING; ids are matched back by (org, number)."""
    row_marks = "(" + ", ".join([w.mark] * len(_INCIDENT_COLUMNS)) + ")"
    sql = (
        f"INSERT INTO incident ({', '.join(_INCIDENT_COLUMNS)}) "  # noqa: S608
        f"VALUES {', '.join([row_marks] * len(new))} RETURNING id, org_id, number"
    )
    params: list[Any] = []
    for inc in new:
        for column in _INCIDENT_COLUMNS:
            value = inc.values[column]
            params.append(w.instant(value) if column in _INSTANT_COLUMNS else value)
    by_number = {(i.values["org_id"], i.values["number"]): i for i in new}
    for row in w.conn.exec_driver_sql(sql, tuple(params)):
        by_number[(row[1], row[2])].id = row[0]


def _update_incidents(w: _Writer, touched: list[_Incident]) -> None:
    m = w.mark
    counted = [i for i in touched if i.added]
    w.many(
        "UPDATE incident SET alert_count = alert_count + "  # noqa: S608
        f"{m}, last_alert_uuid = {m}, last_alert_at = {m}, entity_state = {m}, "
        f"state_message = COALESCE({m}, state_message), updated_at = {m} WHERE id = {m}",
        [
            (
                i.added,
                i.last["last_alert_uuid"],
                w.instant(i.last["last_alert_at"]),
                i.last["entity_state"],
                i.last.get("state_message"),
                w.instant(i.last["updated_at"]),
                i.id,
            )
            for i in counted
        ],
    )
    # Phase changes are rare (one ACK or RECOVERY per incident): one statement each.
    for inc in touched:
        if not inc.transition:
            continue
        columns = sorted(inc.transition)
        sets = ", ".join(f"{c} = {m}" for c in columns)
        values = [
            w.instant(inc.transition[c]) if c in _INSTANT_COLUMNS else inc.transition[c]
            for c in columns
        ]
        w.conn.exec_driver_sql(
            f"UPDATE incident SET {sets} WHERE id = {m}",  # noqa: S608
            (*values, inc.id),
        )


def _write(session: Session, plan: _Plan, now: datetime) -> None:
    conn = session.connection()
    w = _Writer(conn)
    new = plan.new
    by_org: dict[int, list[_Incident]] = {}
    for inc in new:
        by_org.setdefault(inc.values["org_id"], []).append(inc)
    for org_id, incs in sorted(by_org.items()):
        numbers = allocate_incident_numbers(session, org_id, len(incs))
        for inc, number in zip(incs, numbers, strict=True):
            inc.values["number"] = number
    if new:
        _insert_incidents(w, new)
    _update_incidents(w, list(plan.touched.values()))

    w.many(
        w.insert_sql("alert", _ALERT_COLUMNS, json_columns=("fields",)),
        [
            (
                row["uuid"],
                row["org_id"],
                row["source"],
                row["routing_key"],
                row["routed_key"],
                row["message_type"],
                row["entity_id"],
                row["entity_display_name"],
                row["state_message"],
                row["monitoring_tool"],
                w.instant(row["timestamp"]),
                w.instant(row["state_start_time"]),
                json.dumps(row["fields"]),
                row["raw"],
                w.instant(row["received_at"]),
                inc.id if inc is not None else None,
            )
            for row, inc in plan.alerts
        ],
    )
    w.many(
        w.insert_sql("incident_event", _EVENT_COLUMNS, json_columns=("data",)),
        [
            (
                row["org_id"],
                _id(inc),
                row["kind"],
                w.instant(row["at"]),
                row["actor"],
                row["message"],
                row["alert_uuid"],
                json.dumps(row["data"]),
            )
            for row, inc in plan.events
        ],
    )

    paged = [i for i in new if not i.values["is_muted"]]
    w.many(
        w.insert_sql("incident_paged_policy", ("org_id", "incident_id", "policy_id")),
        [(i.values["org_id"], _id(i), p) for i in paged for p in dict.fromkeys(i.policies)],
    )
    w.many(
        w.insert_sql("incident_paged_team", ("org_id", "incident_id", "team_id")),
        [(i.values["org_id"], _id(i), t) for i in paged for t in i.teams],
    )
    if paged:
        # The hand-over to the engine (see incidents/service.py): one escalation.start job per
        # unmuted new incident, in this transaction; the dedupe keys are new ids, so unique.
        w.many(
            w.insert_sql("job", _JOB_COLUMNS, json_columns=("payload",)),
            [
                (
                    i.values["org_id"],
                    ESCALATION_START,
                    json.dumps({"incident_id": _id(i)}),
                    w.instant(now),
                    start_dedupe_key(_id(i)),
                    0,
                    w.instant(now),
                )
                for i in paged
            ],
        )
        session.info[WAKE_FLAG] = True
