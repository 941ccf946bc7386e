"""Incident use cases: open, acknowledge, resolve, reroute, timeline. Never commit.

These are the one-at-a-time, ORM-level writes used by the incident API (manual incidents,
ack/resolve by number or by user, reroute) and by anything else that changes one incident.
What an alert does to an incident is decided only in `planner.py` (the alert hot path,
`alerts/ingest.py`, writes its plan with Core statements in `rows.py`); both use the same
state machine (`lifecycle.py`) and the same numbering (`allocate_incident_numbers`).

Contract with the paging engine (the engine helper's `escalation.*` handlers):
- An incident that opens unmuted gets one `escalation.start` job, enqueued in the same
  transaction, payload `{"incident_id": id}`, dedupe key `escalation:{id}:start`. The engine
  reads what to page from `incident_paged_policy` / `incident_paged_user`.
- A reroute enqueues `escalation.start` again with `{"incident_id": id, "reroute": event_id}`
  and dedupe key `escalation:{id}:reroute:{event_id}`: the engine restarts paging with the new
  targets (the rows in `incident_paged_*` have been replaced, and the old escalations and
  personal pages ended, in the same transaction).
- Ack and resolve enqueue nothing: they change `incident.phase` in the same transaction, and
  the engine stops escalating when it reads a phase other than UNACKED.
- Muted incidents (maintenance mode) enqueue nothing; their timeline says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openoncall.alerts.models import Alert
from openoncall.errors import InvalidTransition, NotFound
from openoncall.escalation.models import EscalationProgress
from openoncall.incidents import lifecycle
from openoncall.incidents.lifecycle import Transition
from openoncall.incidents.models import (
    EventKind,
    Incident,
    IncidentEvent,
    Phase,
    incident_counter_table,
    incident_paged_policy_table,
    incident_paged_team_table,
    incident_paged_user_table,
)
from openoncall.jobs.kinds import JobKind, escalation_reroute_key, escalation_start_key
from openoncall.jobs.writer import enqueue
from openoncall.observe import events
from openoncall.paging.models import UserPage
from openoncall.policies.models import EscalationPolicy


@dataclass(frozen=True, slots=True)
class OpenSpec:
    """What a new incident is about; the alert fields or a manual incident's summary."""

    entity_id: str
    entity_display_name: str = ""
    state_message: str = ""
    entity_state: str = "CRITICAL"
    entity_type: str = "SERVICE"
    routing_key: str | None = None
    host: str | None = None
    service: str | None = None
    monitoring_tool: str | None = None
    monitor_type: str = "API"
    monitor_name: str | None = None
    is_multi_responder: bool = False


# ------------------------------------------------------------------ numbering


_BUMP_COUNTER = (
    update(incident_counter_table)
    .where(incident_counter_table.c.org_id == bindparam("b_org"))
    .values(last_number=incident_counter_table.c.last_number + bindparam("b_count"))
    .returning(incident_counter_table.c.last_number)
)


def allocate_incident_numbers(session: Session, org_id: int, count: int) -> range:
    """`count` consecutive incident numbers for the org, gap-free.

    The counter row is updated in the caller's transaction: on PostgreSQL the row lock makes
    concurrent openers queue, on SQLite the writer lock does; a rollback gives the numbers
    back. The row is created on first use (INSERT … ON CONFLICT DO NOTHING, race-safe).
    """
    assert count > 0
    conn = session.connection()
    params = {"b_org": org_id, "b_count": count}
    last = conn.execute(_BUMP_COUNTER, params).scalar()
    if last is None:
        dialect = conn.dialect.name
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            incident_counter_table
        )
        conn.execute(ins.values(org_id=org_id, last_number=0).on_conflict_do_nothing())
        last = conn.execute(_BUMP_COUNTER, params).scalar_one()
    return range(last - count + 1, last + 1)


# ------------------------------------------------------------------ reads


def find_open_incident(
    session: Session, org_id: int, entity_id: str, *, lock: bool = False
) -> Incident | None:
    stmt = select(Incident).where(Incident.org_id == org_id, Incident.open_entity_id == entity_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def get_incident(session: Session, org_id: int, number: int, *, lock: bool = False) -> Incident:
    """The incident by its per-org number; `lock` holds its row until commit (PostgreSQL)."""
    stmt = select(Incident).where(Incident.org_id == org_id, Incident.number == number)
    if lock:
        stmt = stmt.with_for_update()
    incident = session.scalar(stmt)
    if incident is None:
        raise NotFound(f"Incident {number} not found", field="incidentNumber")
    return incident


def list_timeline(session: Session, org_id: int, incident_id: int) -> list[IncidentEvent]:
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.org_id == org_id, IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id)
        )
    )


# ------------------------------------------------------------------ timeline


def add_event(
    session: Session,
    org_id: int,
    incident_id: int,
    *,
    kind: str,
    at: datetime,
    actor: str | None,
    message: str = "",
    data: dict[str, Any] | None = None,
    alert_uuid: str | None = None,
) -> IncidentEvent:
    """Append one entry to an incident's timeline (notes, chat, pages, deliveries …)."""
    event = IncidentEvent(
        org_id=org_id,
        incident_id=incident_id,
        kind=str(kind),
        at=at,
        actor=actor,
        message=message,
        data=data or {},
        alert_uuid=alert_uuid,
    )
    session.add(event)
    session.flush()
    return event


def _transition_event(
    session: Session, org_id: int, incident: Incident, transition: Transition
) -> IncidentEvent:
    events.after_commit(
        session,
        partial(
            events.incident_transition,
            org_id=org_id,
            incident_id=incident.id,
            incident_number=incident.number,
            transition=transition.name,
            previous=transition.previous,
            by=transition.by,
            manually=transition.manually,
            alert_uuid=transition.alert_id,
        ),
    )
    return add_event(
        session,
        org_id,
        incident.id,
        kind=EventKind.TRANSITION,
        at=transition.at,
        actor=transition.by,
        message=transition.message,
        data=transition.to_data(),
        alert_uuid=transition.alert_id,
    )


# ------------------------------------------------------------------ lifecycle


def open_incident(
    session: Session,
    org_id: int,
    spec: OpenSpec,
    *,
    policy_ids: Sequence[int] = (),
    team_ids: Sequence[int] = (),
    user_ids: Sequence[int] = (),
    alert: Alert | None = None,
    is_muted: bool = False,
    muted_reason: str = "",
    by: str | None,
    manually: bool,
    now: datetime,
) -> Incident:
    """Open a new UNACKED incident, record whom it pages and hand the paging to the engine.

    Raises `InvalidTransition` if the entity already has an open incident (the unique index
    on `open_entity_id` is the arbiter under concurrency; the caller may aggregate instead).
    """
    (number,) = allocate_incident_numbers(session, org_id, 1)
    incident = Incident(
        org_id=org_id,
        number=number,
        entity_id=spec.entity_id,
        open_entity_id=spec.entity_id,
        entity_display_name=spec.entity_display_name,
        entity_state=spec.entity_state,
        entity_type=spec.entity_type,
        state_message=spec.state_message,
        phase=Phase.UNACKED,
        routing_key=spec.routing_key,
        alert_count=1 if alert is not None else 0,
        first_alert_uuid=alert.uuid if alert is not None else None,
        last_alert_uuid=alert.uuid if alert is not None else None,
        started_at=now,
        last_alert_at=alert.received_at if alert is not None else None,
        host=spec.host,
        service=spec.service,
        monitoring_tool=spec.monitoring_tool,
        monitor_type=spec.monitor_type,
        monitor_name=spec.monitor_name,
        is_muted=is_muted,
        is_multi_responder=spec.is_multi_responder,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError as exc:
        raise InvalidTransition(
            f"Entity {spec.entity_id} already has an open incident", field="entityId"
        ) from exc
    if alert is not None:
        alert.incident_id = incident.id
        add_event(
            session,
            org_id,
            incident.id,
            kind=EventKind.ALERT,
            at=alert.received_at,
            actor=alert.monitoring_tool,
            message=alert.state_message,
            data={"messageType": alert.message_type, "entityId": alert.entity_id},
            alert_uuid=alert.uuid,
        )
    opening = lifecycle.trigger(
        at=now,
        by=by,
        message=spec.entity_display_name,
        manually=manually,
        alert_id=alert.uuid if alert is not None else None,
    )
    _transition_event(session, org_id, incident, opening)
    set_paged_targets(
        session, org_id, incident.id, policy_ids=policy_ids, team_ids=team_ids, user_ids=user_ids
    )
    if is_muted:
        add_event(
            session,
            org_id,
            incident.id,
            kind=EventKind.MUTED,
            at=now,
            actor="system",
            message=muted_reason or "Maintenance mode: paging suppressed",
            data={"reason": "maintenance"},
        )
    else:
        enqueue(
            session,
            kind=JobKind.ESCALATION_START,
            payload={"incident_id": incident.id},
            due_at=now,
            now=now,
            org_id=org_id,
            dedupe_key=escalation_start_key(incident.id),
        )
    return incident


def set_paged_targets(
    session: Session,
    org_id: int,
    incident_id: int,
    *,
    policy_ids: Iterable[int],
    team_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    replace: bool = False,
) -> None:
    """Record `pagedPolicies`/`pagedTeams`/`pagedUsers`; a policy's team is paged too."""
    conn = session.connection()
    existing: dict[str, set[int]] = {}
    for table, column in (
        (incident_paged_policy_table, "policy_id"),
        (incident_paged_team_table, "team_id"),
        (incident_paged_user_table, "user_id"),
    ):
        if replace:
            conn.execute(table.delete().where(table.c.incident_id == incident_id))
            existing[column] = set()
        else:
            existing[column] = set(
                conn.execute(
                    select(table.c[column]).where(table.c.incident_id == incident_id)
                ).scalars()
            )
    policies = list(dict.fromkeys(policy_ids))
    teams = list(dict.fromkeys(team_ids))
    if policies:
        owning = session.execute(
            select(EscalationPolicy.team_id).where(
                EscalationPolicy.org_id == org_id, EscalationPolicy.id.in_(policies)
            )
        ).scalars()
        teams = list(dict.fromkeys([*teams, *owning]))
    rows = [
        (incident_paged_policy_table, "policy_id", policies),
        (incident_paged_team_table, "team_id", teams),
        (incident_paged_user_table, "user_id", list(dict.fromkeys(user_ids))),
    ]
    for table, column, ids in rows:
        fresh = [i for i in ids if i not in existing[column]]
        if fresh:
            conn.execute(
                insert(table),
                [{"org_id": org_id, "incident_id": incident_id, column: i} for i in fresh],
            )


def acknowledge_incident(
    session: Session,
    org_id: int,
    incident: Incident,
    *,
    by: str | None,
    message: str,
    manually: bool,
    now: datetime,
    alert_uuid: str | None = None,
) -> Transition:
    """UNACKED → ACKED in the caller's transaction. Enqueues nothing: the engine reads the phase.

    Raises `InvalidTransition` when the incident is already acked or resolved.
    """
    assert incident.org_id == org_id
    transition = lifecycle.acknowledge(
        incident.phase, at=now, by=by, message=message, manually=manually, alert_id=alert_uuid
    )
    incident.phase = Phase.ACKED
    incident.acked_by = by
    incident.acked_at = now
    incident.updated_at = now
    session.flush()
    _transition_event(session, org_id, incident, transition)
    return transition


def resolve_incident(
    session: Session,
    org_id: int,
    incident: Incident,
    *,
    by: str | None,
    message: str,
    manually: bool,
    now: datetime,
    alert_uuid: str | None = None,
) -> Transition:
    """UNACKED/ACKED → RESOLVED; frees the entity so its next CRITICAL opens a new incident."""
    assert incident.org_id == org_id
    transition = lifecycle.resolve(
        incident.phase, at=now, by=by, message=message, manually=manually, alert_id=alert_uuid
    )
    incident.phase = Phase.RESOLVED
    incident.open_entity_id = None
    incident.resolved_by = by
    incident.resolved_at = now
    incident.updated_at = now
    session.flush()
    _transition_event(session, org_id, incident, transition)
    return transition


def _end_paging(session: Session, incident_id: int, *, now: datetime) -> None:
    """A reroute ends the old escalation and personal pages at once, as an ack does (the
    engine reads the phase): a repeat of theirs that falls due before the engine starts the
    new targets (it may be behind, or down) must not page the old responders."""
    session.execute(
        update(EscalationProgress)
        .where(EscalationProgress.incident_id == incident_id, EscalationProgress.is_done.is_(False))
        .values(is_done=True, stopped_reason="rerouted", updated_at=now)
    )
    session.execute(
        update(UserPage)
        .where(UserPage.incident_id == incident_id, UserPage.is_done.is_(False))
        .values(is_done=True, updated_at=now)
    )


def reroute_incident(
    session: Session,
    org_id: int,
    incident: Incident,
    *,
    policy_ids: Sequence[int],
    user_ids: Sequence[int],
    add_targets: bool = False,
    by: str | None,
    message: str = "",
    now: datetime,
) -> IncidentEvent:
    """Page new targets: replace (or, with `add_targets`, extend) the paged policies/users,
    put the incident back to UNACKED if it was acked, and restart escalation."""
    assert incident.org_id == org_id
    retrigger = lifecycle.reroute(incident.phase, at=now, by=by, message=message or "rerouted")
    if not add_targets:
        _end_paging(session, incident.id, now=now)
    set_paged_targets(
        session,
        org_id,
        incident.id,
        policy_ids=policy_ids,
        user_ids=user_ids,
        replace=not add_targets,
    )
    if add_targets:
        incident.is_multi_responder = True
    previous = incident.phase
    incident.phase = Phase.UNACKED
    incident.acked_by = None
    incident.acked_at = None
    incident.updated_at = now
    session.flush()
    if retrigger is not None:
        _transition_event(session, org_id, incident, retrigger)
    event = add_event(
        session,
        org_id,
        incident.id,
        kind=EventKind.REROUTE,
        at=now,
        actor=by,
        message=message,
        data={
            "policyIds": list(policy_ids),
            "userIds": list(user_ids),
            "addTargets": add_targets,
            "previous": previous,
        },
    )
    if not incident.is_muted:
        enqueue(
            session,
            kind=JobKind.ESCALATION_START,
            payload={"incident_id": incident.id, "reroute": event.id},
            due_at=now,
            now=now,
            org_id=org_id,
            dedupe_key=escalation_reroute_key(incident.id, event.id),
        )
    return event
