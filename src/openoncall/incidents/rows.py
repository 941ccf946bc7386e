"""Writing an incident plan (`incidents/planner.py`) for a batch of alerts: the alerts, new
and changed incidents, timeline events, paged policies and teams, and the engine's
`escalation.start` jobs, in the caller's transaction.

Measured, SQLAlchemy's per-row parameter processing and ORM objects cost more than
everything else on the alert hot path together, so this writes with one driver-level
`executemany` per table (`_Writer`), converting the few typed values (instants, JSON) itself
exactly as the column types would. The engine's jobs go through `jobs/writer.py`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from openoncall.db.driver import DriverStatements
from openoncall.incidents.planner import Plan, PlannedIncident
from openoncall.incidents.service import allocate_incident_numbers
from openoncall.jobs.kinds import JobKind, escalation_start_key
from openoncall.jobs.writer import NewJob, insert_many

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


def incident_id(incident: PlannedIncident) -> int:
    assert incident.id is not None
    return incident.id


def _insert_incidents(w: DriverStatements, new: list[PlannedIncident]) -> None:
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


def _update_incidents(w: DriverStatements, touched: list[PlannedIncident]) -> None:
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


def write_plan(session: Session, plan: Plan, now: datetime) -> None:
    conn = session.connection()
    w = DriverStatements(conn)
    new = plan.new
    by_org: dict[int, list[PlannedIncident]] = {}
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
                incident_id(inc),
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
        [(i.values["org_id"], incident_id(i), p) for i in paged for p in dict.fromkeys(i.policies)],
    )
    w.many(
        w.insert_sql("incident_paged_team", ("org_id", "incident_id", "team_id")),
        [(i.values["org_id"], incident_id(i), t) for i in paged for t in i.teams],
    )
    # The hand-over to the engine (see incidents/service.py): one escalation.start job per
    # unmuted new incident, in this transaction.
    insert_many(
        session,
        [
            NewJob(
                org_id=i.values["org_id"],
                kind=JobKind.ESCALATION_START,
                payload={"incident_id": incident_id(i)},
                due_at=now,
                dedupe_key=escalation_start_key(incident_id(i)),
            )
            for i in paged
        ],
        now=now,
    )
