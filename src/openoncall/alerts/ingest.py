"""Alert ingestion for a batch of alerts in one transaction: the org's routing context →
rules and routing (`alerts/routed.py`) → the open incidents of the batch's entities → the
incident decision (`incidents/planner.py`) → rows (`incidents/rows.py`).

This is the hot path: every REST and email alert comes through here, batched by the group
commit writer in `alerts/writer.py`. An opening hands over to the engine exactly as
`open_incident` does (see `incidents/service.py`).

Dedup under concurrency: within a process there is one writer, so alerts for one entity are
applied in order. Across processes (PostgreSQL), the open incidents of the batch's entities
are locked (`FOR UPDATE`), and the unique index on `incident.open_entity_id` rejects a
second open incident for an entity: the writer then retries the whole batch, which finds
the other process's incident and aggregates into it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from openoncall.alerts.models import AlertSource
from openoncall.alerts.routed import OrgContext, Routed, Submission, read_org_context, route_alert
from openoncall.incidents.models import EventKind
from openoncall.incidents.planner import Plan, PlannedIncident, plan_alert
from openoncall.incidents.rows import incident_id, write_plan
from openoncall.observe import events


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


def _load_open(conn: Connection, org_id: int, entity_ids: set[str]) -> dict[str, PlannedIncident]:
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
        entity_id: PlannedIncident(
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
            ctx = read_org_context(
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
    open_by_org: dict[int, dict[str, PlannedIncident]] = {}
    for org_id in sorted(contexts):
        entities = {r.data.entity_id for r in routed if r is not None and r.ctx.org_id == org_id}
        open_by_org[org_id] = _load_open(conn, org_id, entities)

    plan = Plan()
    decided: list[tuple[str, str, PlannedIncident | None] | None] = []
    for item in routed:
        if item is None:
            decided.append(None)
            continue
        alert_uuid = str(uuid.uuid4())
        incident = plan_alert(plan, item, alert_uuid, open_by_org[item.ctx.org_id], now)
        decided.append((item.data.entity_id, alert_uuid, incident))

    write_plan(session, plan, now)
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


def _log_batch(plan: Plan) -> None:
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
            incident_id=incident_id(inc),
            incident_number=inc.values.get("number"),
            transition=data["name"],
            previous=data["previous"],
            by=data.get("by"),
            manually=bool(data.get("manually")),
            alert_uuid=row["alert_uuid"],
        )
