"""Builders for the incident API tests: users, teams, policies and alert-opened incidents.

Users, teams and policies have their own API tests; here they are the ground incidents stand
on, written through the models or services in one committed transaction each. An incident
opened by an alert goes through the incident service with explicit targets (an `alert` row,
then `open_incident`); later alerts for it go through the alert intake below HTTP.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from openoncall.alerts.ingest import ingest_batch
from openoncall.alerts.models import Alert, AlertSource
from openoncall.alerts.routed import Submission
from openoncall.container import Container
from openoncall.ids import new_slug
from openoncall.incidents import service
from openoncall.incidents.models import Incident
from openoncall.orgs.models import Organization
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
    """Another alert for an incident's entity through the alert intake (the endpoint's path
    below HTTP): CRITICAL aggregates, RECOVERY resolves, ACKNOWLEDGEMENT acks. Returns the
    alert's uuid."""
    now = container.clock.now()
    with container.sessions.transaction() as session:
        incident = session.scalars(
            select(Incident).where(Incident.org_id == org_id, Incident.number == number)
        ).one()
        key_hash = session.scalars(
            select(Organization.rest_key_hash).where(Organization.id == org_id)
        ).one()
        fields = {
            "message_type": message_type,
            "entity_id": incident.entity_id,
            "entity_display_name": incident.entity_display_name,
            "state_message": state_message,
            "monitoring_tool": "nagios",
            **(extra or {}),
        }
        submission = Submission(
            key_hash=key_hash,
            source=AlertSource.REST,
            routing_key=incident.routing_key,
            fields=fields,
            raw=json.dumps(fields),
            received_at=now,
        )
        (accepted,) = ingest_batch(session, [submission], now=now)
        assert accepted is not None
        assert accepted.incident_number == number
        return accepted.alert_uuid
