"""An alert's way before the incident decision: the endpoint's submission, the org's routing
context (routing keys, rules, maintenance, policy teams) and the routed alert.

The hot path reads the context with prepared driver-level queries (`read_org_context`); the
rules dry run and anything else outside it uses the services (`load_org_context`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.alert_rules import matcher
from openoncall.alert_rules.service import load_rules
from openoncall.alerts.payload import AlertData, message_type_of, normalize
from openoncall.maintenance.service import MaintenanceView, active_view
from openoncall.policies.models import EscalationPolicy
from openoncall.routing.service import (
    RoutingTable,
    ensure_default_routing_key,
    load_routing_table,
)


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


def load_org_context(
    session: Session, org_id: int, *, is_warning_incident: bool, now: datetime
) -> OrgContext:
    """Routing keys, rules, maintenance and policy teams of one org (for the dry run and
    anything else outside the hot path; the hot path uses `read_org_context`)."""
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


def read_org_context(
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
