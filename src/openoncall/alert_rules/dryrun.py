"""The dry-run extension: what an alert would do if it arrived now. Writes nothing of its
own (the org's default routing key may be created, as any read of the routing table does)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.alert_rules.service import RuleView, list_rules
from openoncall.alerts.models import AlertSource
from openoncall.alerts.payload import PayloadError, parse_body, with_entity_id
from openoncall.alerts.routed import Submission, load_org_context, route_alert
from openoncall.errors import InvalidInput
from openoncall.incidents.service import find_open_incident
from openoncall.orgs.models import Organization
from openoncall.policies.models import EscalationPolicy
from openoncall.schedules.service import policies_oncall
from openoncall.teams.models import Team


@dataclass(frozen=True, slots=True)
class PolicyTarget:
    name: str
    slug: str
    team_slug: str


@dataclass(frozen=True, slots=True)
class DryRun:
    matched: list[RuleView]
    fields: dict[str, Any]
    message_type: str
    entity_id: str
    requested_routing_key: str | None
    routing_key: str
    is_muted: bool
    incident_action: str
    open_incident_number: int | None
    policies: list[PolicyTarget]
    # policy slug → usernames on call now in its first step.
    paged_now: dict[str, list[str]]
    note: str | None


def _action(message_type: str, *, has_open: bool, phase: str | None, warning_opens: bool) -> str:
    if not has_open:
        opens = message_type == "CRITICAL" or (message_type == "WARNING" and warning_opens)
        return "open" if opens else "record"
    if message_type in ("CRITICAL", "WARNING"):
        return "aggregate"
    if message_type == "ACKNOWLEDGEMENT":
        return "acknowledge" if phase == "UNACKED" else "timeline"
    if message_type == "RECOVERY":
        return "resolve"
    return "timeline"


def dry_run(
    session: Session,
    org_id: int,
    alert: dict[str, Any],
    *,
    routing_key: str | None,
    now: datetime,
) -> DryRun:
    try:
        fields = parse_body(json.dumps(alert).encode())
    except PayloadError as exc:
        raise InvalidInput(exc.message, field="message_type") from exc
    fields = with_entity_id(fields, lambda: str(uuid.uuid4()))
    org = session.get(Organization, org_id)
    assert org is not None
    ctx = load_org_context(session, org_id, is_warning_incident=org.is_warning_incident, now=now)
    routed = route_alert(
        ctx,
        Submission(
            key_hash="",
            source=AlertSource.REST,
            routing_key=routing_key,
            fields=fields,
            raw=json.dumps(alert),
            received_at=now,
        ),
    )
    incident = find_open_incident(session, org_id, routed.data.entity_id)
    action = _action(
        routed.data.message_type,
        has_open=incident is not None,
        phase=incident.phase if incident is not None else None,
        warning_opens=org.is_warning_incident,
    )
    policy_ids = list(ctx.routing.policies_by_key.get(routed.routed_key, ()))
    rows = session.execute(
        select(EscalationPolicy.id, EscalationPolicy.name, EscalationPolicy.slug, Team.slug)
        .join(Team, Team.id == EscalationPolicy.team_id)
        .where(EscalationPolicy.org_id == org_id, EscalationPolicy.id.in_(policy_ids))
    ).all()
    by_id = {r[0]: PolicyTarget(r[1], r[2], r[3]) for r in rows}
    policies = [by_id[p] for p in policy_ids if p in by_id]

    paged_now: dict[str, list[str]]
    note: str | None = None
    if action != "open":
        paged_now, note = {}, "No incident would open, so nobody would be paged."
    elif routed.is_muted:
        paged_now, note = {}, "Maintenance mode is active: the incident would open muted."
    else:
        pictures = policies_oncall(
            session, org_id, policy_ids, start=now, end=now + timedelta(minutes=1), now=now
        )
        paged_now = {}
        for policy_id in policy_ids:
            picture = pictures.get(policy_id)
            if picture is None:
                continue
            # The first step is who the engine pages the moment the incident opens.
            first = min((s.position for s in picture.steps), default=None)
            paged_now[picture.policy_slug] = picture.oncall_now(first) if first is not None else []
    matched_ids = set(routed.matched_rules)
    matched = [v for v in list_rules(session, org_id) if v.rule.id in matched_ids]
    return DryRun(
        matched=matched,
        fields=routed.fields,
        message_type=routed.data.message_type,
        entity_id=routed.data.entity_id,
        requested_routing_key=routing_key,
        routing_key=routed.routed_key,
        is_muted=routed.is_muted,
        incident_action=action,
        open_incident_number=incident.number if incident is not None else None,
        policies=policies,
        paged_now=paged_now,
        note=note,
    )
