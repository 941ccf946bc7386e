"""One log line (and a counter) per thing an operator follows, emitted once it is committed.

Services call these in their transaction; the line is written after the commit, so a rolled
back transaction (a retried alert batch, a refused request) logs nothing it did not do. Each
line carries `event` (a stable name to filter on) and the ids that tie it to rows: org_id,
incident_id, job_id, delivery_id, alert_uuid, api_key_id. Destinations (addresses, phone
numbers) and secrets never appear: a delivery is named by its id and channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from openoncall.observe import metrics

_PENDING = "observe_pending"

alerts_log = logging.getLogger("openoncall.alerts")
incidents_log = logging.getLogger("openoncall.incidents")
paging_log = logging.getLogger("openoncall.paging")
deliveries_log = logging.getLogger("openoncall.deliveries")
audit_log = logging.getLogger("openoncall.audit")

# The phase an incident moves to (lifecycle's transition name) → the counter's label.
_TRANSITIONS = {"ACKED": "acknowledged", "RESOLVED": "resolved"}


def transition_label(name: str, previous: str) -> str:
    if name == "UNACKED":
        return "rerouted" if previous else "opened"
    return _TRANSITIONS.get(name, name.lower())


def after_commit(session: Session, emit: Callable[[], None]) -> None:
    """Call `emit` once the session's transaction commits; never if it rolls back."""
    session.info.setdefault(_PENDING, []).append(emit)


@event.listens_for(Session, "after_commit")
def _emit_pending(session: Session) -> None:
    for emit in session.info.pop(_PENDING, ()):
        try:
            emit()
        except Exception:  # observing must never fail the work it observes
            logging.getLogger(__name__).exception("emitting a log line failed")


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (after_commit has emitted and
    # popped the lines of one that committed). A rolled-back savepoint inside a committed
    # transaction is rare here (conflict checks around inserts) and drops nothing.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _fields(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def alert_accepted(
    *,
    org_id: int,
    endpoint: str,
    message_type: str,
    entity_id: str,
    alert_uuid: str,
    routing_key: str,
    incident_id: int | None,
    incident_number: int | None,
) -> None:
    metrics.ALERTS_ACCEPTED.labels(endpoint, message_type).inc()
    alerts_log.info(
        "alert accepted",
        extra=_fields(
            event="alert.accepted",
            org_id=org_id,
            endpoint=endpoint,
            message_type=message_type,
            entity_id=entity_id,
            alert_uuid=alert_uuid,
            routing_key=routing_key,
            incident_id=incident_id,
            incident_number=incident_number,
        ),
    )


def incident_transition(
    *,
    org_id: int,
    incident_id: int,
    incident_number: int | None,
    transition: str,
    previous: str,
    by: str | None,
    manually: bool,
    alert_uuid: str | None,
) -> None:
    label = transition_label(transition, previous)
    metrics.INCIDENT_TRANSITIONS.labels(label).inc()
    incidents_log.info(
        "incident %s",
        label,
        extra=_fields(
            event=f"incident.{label}",
            org_id=org_id,
            incident_id=incident_id,
            incident_number=incident_number,
            previous=previous or None,
            by=by,
            manually=manually,
            alert_uuid=alert_uuid,
        ),
    )


def page_planned(
    *,
    org_id: int,
    incident_id: int | None,
    delivery_id: int,
    job_id: int | None,
    channel: str,
    purpose: str,
    user_id: int | None,
    contact_method_id: int | None,
) -> None:
    metrics.PAGES_PLANNED.labels(channel, purpose).inc()
    paging_log.info(
        "page planned",
        extra=_fields(
            event="page.planned",
            org_id=org_id,
            incident_id=incident_id,
            delivery_id=delivery_id,
            job_id=job_id,
            channel=channel,
            purpose=purpose,
            user_id=user_id,
            contact_method_id=contact_method_id,
        ),
    )


def delivery_attempt(
    *, org_id: int | None, delivery_id: int, job_id: int, channel: str, resend: bool = False
) -> None:
    if resend:
        metrics.DELIVERIES_RESENT.labels(channel).inc()
    deliveries_log.log(
        logging.WARNING if resend else logging.INFO,
        "delivery attempt after an unrecorded one" if resend else "delivery attempt",
        extra=_fields(
            event="delivery.resend" if resend else "delivery.attempt",
            org_id=org_id,
            delivery_id=delivery_id,
            job_id=job_id,
            channel=channel,
        ),
    )


def delivery_outcome(
    *,
    org_id: int | None,
    delivery_id: int,
    job_id: int,
    channel: str,
    ok: bool,
    retryable: bool,
    seconds: float,
    detail: str,
) -> None:
    outcome = "sent" if ok else ("retry" if retryable else "failed")
    metrics.DELIVERIES.labels(channel, outcome).inc()
    metrics.DELIVERY_SECONDS.labels(channel).observe(seconds)
    level = logging.INFO if ok else logging.WARNING
    deliveries_log.log(
        level,
        "delivery %s",
        outcome,
        extra=_fields(
            event=f"delivery.{outcome}",
            org_id=org_id,
            delivery_id=delivery_id,
            job_id=job_id,
            channel=channel,
            duration_ms=round(seconds * 1000, 1),
            detail=None if ok else detail[:300],
        ),
    )


def audited(*, org_id: int, actor: str, action: str, subject_type: str, subject_id: str) -> None:
    audit_log.info(
        "%s %s %s",
        action,
        subject_type,
        subject_id,
        extra=_fields(
            event="audit",
            org_id=org_id,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
        ),
    )
