"""Builders for the incident API tests: users, teams, policies and alert-opened incidents.

Users, teams and policies have their own API tests; here they are the ground incidents stand
on, written through the models or services in one committed transaction each. Alert-opened
incidents go through the incident lifecycle service exactly as the alert endpoint does (an
`alert` row, then open or aggregate), so these tests do not depend on the ingestion path.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from openoncall.alerts.models import Alert
from openoncall.container import Container
from openoncall.ids import new_slug
from openoncall.incidents import service
from openoncall.incidents.models import Incident
from openoncall.policies.models import EscalationPolicy
from openoncall.teams.models import Team
from openoncall.users.models import User


def make_policy(container: Container, org_id: int, team_slug: str, name: str) -> str:
    """An escalation policy of the team (its steps do not matter here); returns its slug."""
    with container.sessions.transaction() as session:
        team_id = session.scalars(
            select(Team.id).where(Team.org_id == org_id, Team.slug == team_slug)
        ).one()
        policy = EscalationPolicy(
            org_id=org_id,
            team_id=team_id,
            slug=new_slug("pol", 12),
            name=name,
            is_ignoring_custom_paging_policies=False,
            created_at=container.clock.now(),
        )
        session.add(policy)
        return policy.slug


@dataclass(frozen=True)
class Opened:
    number: int
    alert_uuid: str


def _alert(
    org_id: int,
    entity_id: str,
    *,
    message_type: str,
    state_message: str,
    display_name: str,
    routing_key: str | None,
    extra: dict[str, Any],
    now: datetime,
) -> Alert:
    payload = {
        "message_type": message_type,
        "entity_id": entity_id,
        "entity_display_name": display_name,
        "state_message": state_message,
        "monitoring_tool": "nagios",
        **extra,
    }
    return Alert(
        org_id=org_id,
        uuid=str(uuid.uuid4()),
        source="REST",
        routing_key=routing_key,
        routed_key=routing_key,
        message_type=message_type,
        entity_id=entity_id,
        entity_display_name=display_name,
        state_message=state_message,
        monitoring_tool="nagios",
        timestamp=now,
        state_start_time=now,
        fields=payload,
        raw=json.dumps(payload),
        received_at=now,
    )


def open_alert_incident(
    container: Container,
    org_id: int,
    entity_id: str,
    *,
    display_name: str = "",
    state_message: str = "",
    routing_key: str | None = "default",
    host: str | None = None,
    service_name: str | None = None,
    policies: list[str] | None = None,
    users: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Opened:
    """A CRITICAL alert that opens an incident paging the given policies and users."""
    now = container.clock.now()
    with container.sessions.transaction() as session:
        alert = _alert(
            org_id,
            entity_id,
            message_type="CRITICAL",
            state_message=state_message,
            display_name=display_name,
            routing_key=routing_key,
            extra={**({"host_name": host} if host else {}), **(extra or {})},
            now=now,
        )
        session.add(alert)
        session.flush()
        policy_ids = list(
            session.scalars(
                select(EscalationPolicy.id).where(
                    EscalationPolicy.org_id == org_id, EscalationPolicy.slug.in_(policies or [])
                )
            )
        )
        user_ids = list(
            session.scalars(
                select(User.id).where(User.org_id == org_id, User.username.in_(users or []))
            )
        )
        incident = service.open_incident(
            session,
            org_id,
            service.OpenSpec(
                entity_id=entity_id,
                entity_display_name=display_name,
                state_message=state_message,
                routing_key=routing_key,
                host=host,
                service=service_name,
                monitoring_tool="nagios",
                monitor_type="API",
                monitor_name="nagios",
            ),
            policy_ids=policy_ids,
            user_ids=user_ids,
            alert=alert,
            by=None,
            manually=False,
            now=now,
        )
        return Opened(number=incident.number, alert_uuid=alert.uuid)


def repeat_alert(
    container: Container,
    org_id: int,
    number: int,
    *,
    message_type: str = "CRITICAL",
    state_message: str = "",
    extra: dict[str, Any] | None = None,
) -> str:
    """Another alert for an incident's entity: CRITICAL aggregates, RECOVERY resolves,
    ACKNOWLEDGEMENT acks (as the alert endpoint does). Returns the alert's uuid."""
    now = container.clock.now()
    with container.sessions.transaction() as session:
        incident = session.scalars(
            select(Incident).where(Incident.org_id == org_id, Incident.number == number)
        ).one()
        alert = _alert(
            org_id,
            incident.entity_id,
            message_type=message_type,
            state_message=state_message,
            display_name=incident.entity_display_name,
            routing_key=incident.routing_key,
            extra=extra or {},
            now=now,
        )
        session.add(alert)
        session.flush()
        if message_type == "CRITICAL":
            service.aggregate_alert(session, org_id, incident, alert, now=now)
        else:
            alert.incident_id = incident.id
            act = (
                service.resolve_incident
                if message_type == "RECOVERY"
                else service.acknowledge_incident
            )
            author = (extra or {}).get("ack_author")
            act(
                session,
                org_id,
                incident,
                by=author if isinstance(author, str) else None,
                message=state_message,
                manually=False,
                now=now,
                alert_uuid=alert.uuid,
            )
        return alert.uuid
