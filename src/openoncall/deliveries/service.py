"""Recording every delivery: delivery rows, sending decisions, outcomes, fallback.

Each notification is a `delivery` row plus a `delivery.send` job written in the same
transaction (the outbox). The engine's send handler calls `prepare_send` (phase check,
throttle), sends through the channel outside any transaction, then `record_result` (sent, or
retry with backoff, or failed and fall back to the user's next contact method). Never commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openoncall.alerts.models import Alert
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.deliveries import compose
from openoncall.deliveries.models import Delivery, DeliveryStatus
from openoncall.engine.queue import backoff
from openoncall.incidents.models import EventKind, Incident, IncidentEvent, Phase
from openoncall.jobs.kinds import JobKind, delivery_key
from openoncall.jobs.models import Job
from openoncall.jobs.writer import add_fresh
from openoncall.links.signing import LinkAction
from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.observe import events
from openoncall.users.models import User
from openoncall.webhooks.models import Webhook

# A delivery is tried this often (with backoff) before it counts as failed and falls back.
MAX_ATTEMPTS = 3
# Per-contact-method throttles: a phone is not rung, nor texted, faster than this.
THROTTLE: dict[str, timedelta] = {
    Medium.PHONE: timedelta(seconds=60),
    Medium.SMS: timedelta(seconds=10),
    Medium.PUSH: timedelta(seconds=2),
}

LinkMaker = Callable[[int, int, LinkAction, int | None], str]


class Purpose:
    PAGE = "page"
    EMAIL = "email"
    WEBHOOK = "webhook"
    STAKEHOLDER = "stakeholder"


# ---------------------------------------------------------------------------- facts


def incident_facts(session: Session, incident: Incident) -> compose.IncidentFacts:
    alert_id: str | None = None
    uuid = incident.last_alert_uuid or incident.first_alert_uuid
    if uuid is not None:
        alert = session.scalar(select(Alert).where(Alert.uuid == uuid))
        if alert is not None:
            value = (alert.fields or {}).get("alert_id")
            if value is None:
                value = _raw_field(alert.raw, "alert_id")
            alert_id = None if value is None else str(value)
    return compose.IncidentFacts(
        number=incident.number,
        entity_id=incident.entity_id,
        entity_display_name=incident.entity_display_name,
        state_message=incident.state_message,
        phase=incident.phase,
        routing_key=incident.routing_key,
        started_at=incident.started_at,
        alert_id=alert_id,
        host=incident.host,
        service=incident.service,
    )


def _raw_field(raw: str, name: str) -> Any:
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    return payload.get(name) if isinstance(payload, dict) else None


def record_event(
    session: Session,
    org_id: int,
    incident_id: int,
    *,
    kind: str,
    at: datetime,
    actor: str | None,
    message: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Append a timeline entry without flushing: it goes in with the transaction's next flush.

    (incidents.service.add_event flushes at once, for callers that need the row's id; the
    engine writes several rows per page and lets them go in one flush.)
    """
    session.add(
        IncidentEvent(
            org_id=org_id,
            incident_id=incident_id,
            kind=str(kind),
            at=at,
            actor=actor,
            message=message,
            data=data or {},
        )
    )


def _contacts(session: Session, org_id: int, user_id: int) -> list[ContactMethod]:
    return list(
        session.scalars(
            select(ContactMethod)
            .where(ContactMethod.org_id == org_id, ContactMethod.user_id == user_id)
            .order_by(ContactMethod.rank, ContactMethod.id)
        )
    )


def page_event(
    session: Session,
    incident: Incident,
    message: str,
    *,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """A timeline entry by the system about paging (who is paged, why, or why not)."""
    record_event(
        session,
        incident.org_id,
        incident.id,
        kind=EventKind.PAGE,
        at=now,
        actor="system",
        message=message,
        data=data,
    )


# ---------------------------------------------------------------------------- delivery rows


def queue_page_delivery(
    session: Session,
    org_id: int,
    incident: Incident,
    facts: compose.IncidentFacts,
    *,
    user: User | None,
    contact: ContactMethod | None,
    medium: Medium,
    destination: str,
    reason: str,
    user_page_id: int | None,
    tried: list[int],
    links: LinkMaker | None,
    now: datetime,
    purpose: str = Purpose.PAGE,
) -> tuple[Delivery, Job]:
    user_id = user.id if user is not None else None
    ack = links(org_id, incident.id, LinkAction.ACK, user_id) if links else None
    resolve = links(org_id, incident.id, LinkAction.RESOLVE, user_id) if links else None
    message = compose.page_message(facts, reason=reason, ack_url=ack, resolve_url=resolve)
    body = message.body
    if medium in (Medium.SMS, Medium.PHONE):
        body = compose.sms_text(facts, ack_url=ack)
    delivery = Delivery(
        org_id=org_id,
        incident_id=incident.id,
        user_id=user_id,
        contact_method_id=contact.id if contact is not None else None,
        user_page_id=user_page_id,
        purpose=purpose,
        medium=str(medium),
        destination=destination,
        subject=message.subject,
        body=body,
        data=message.data,
        status=DeliveryStatus.QUEUED,
        attempts=0,
        reason=reason,
        tried_contact_ids=[*tried, *([contact.id] if contact is not None else [])],
        created_at=now,
        updated_at=now,
    )
    return delivery, _enqueue_send(session, delivery, org_id, now)


def queue_webhook_delivery(
    session: Session,
    org_id: int,
    incident: Incident,
    webhook: Webhook,
    *,
    reason: str,
    now: datetime,
) -> tuple[Delivery, Job]:
    _keep(session, webhook)
    facts = incident_facts(session, incident)
    data = compose.incident_fields(facts)
    data["reason"] = reason
    delivery = Delivery(
        org_id=org_id,
        incident_id=incident.id,
        webhook_id=webhook.id,
        purpose=Purpose.WEBHOOK,
        medium=str(Medium.WEBHOOK),
        destination=webhook.url,
        subject=f"Incident #{incident.number}",
        body=json.dumps(data, sort_keys=True),
        data=data,
        status=DeliveryStatus.QUEUED,
        attempts=0,
        reason=reason,
        tried_contact_ids=[],
        created_at=now,
        updated_at=now,
    )
    return delivery, _enqueue_send(session, delivery, org_id, now)


def queue_stakeholder_delivery(
    session: Session,
    org_id: int,
    user: User,
    *,
    title: str,
    message: str,
    sender: str | None,
    incident_id: int | None,
    incident_number: str | None,
    now: datetime,
) -> tuple[Delivery, Job] | None:
    """Email the user's first email contact (their account address if none)."""
    emails = [c for c in _contacts(session, org_id, user.id) if c.kind == ContactKind.EMAIL]
    destination = emails[0].value if emails else user.email
    if not destination:
        return None
    text = compose.stakeholder_message(
        title=title, message=message, sender=sender, incident_number=incident_number
    )
    delivery = Delivery(
        org_id=org_id,
        incident_id=incident_id,
        user_id=user.id,
        contact_method_id=emails[0].id if emails else None,
        purpose=Purpose.STAKEHOLDER,
        medium=str(Medium.EMAIL),
        destination=destination,
        subject=text.subject,
        body=text.body,
        data=text.data,
        status=DeliveryStatus.QUEUED,
        attempts=0,
        reason=f"stakeholder message from {sender or 'system'}",
        tried_contact_ids=[],
        created_at=now,
        updated_at=now,
    )
    return delivery, _enqueue_send(session, delivery, org_id, now)


# The session's identity map holds objects weakly: a delivery created here and prepared later
# in the same transaction would be loaded again. Holding them for the session saves the reads.
_KEEP = "deliveries_keep"


def _keep(session: Session, *objects: object) -> None:
    session.info.setdefault(_KEEP, []).extend(objects)


def _enqueue_send(session: Session, delivery: Delivery, org_id: int, now: datetime) -> Job:
    session.add(delivery)
    session.flush()
    _keep(session, delivery)
    job = add_fresh(
        session,
        kind=JobKind.DELIVERY_SEND,
        payload={"delivery_id": delivery.id},
        due_at=now,
        now=now,
        org_id=org_id,
        dedupe_key=delivery_key(delivery.id),
    )
    events.after_commit(
        session,
        # Read at commit: the job's id exists only once it has been flushed.
        lambda: events.page_planned(
            org_id=org_id,
            incident_id=delivery.incident_id,
            delivery_id=delivery.id,
            job_id=job.id,
            channel=delivery.medium,
            purpose=delivery.purpose,
            user_id=delivery.user_id,
            contact_method_id=delivery.contact_method_id,
        ),
    )
    return job


# ---------------------------------------------------------------------------- sending


@dataclass(frozen=True, slots=True)
class Ready:
    notification: Notification
    secret: str | None = None
    # An earlier attempt began and its outcome was never written (an engine stopped
    # mid-send): this one may reach the receiver twice, under the same idempotency key.
    resend: bool = False


@dataclass(frozen=True, slots=True)
class Wait:
    until: datetime


@dataclass(frozen=True, slots=True)
class Skip:
    why: str


def prepare_send(session: Session, delivery_id: int, *, now: datetime) -> Ready | Wait | Skip:
    """Decide whether a queued delivery goes now: not after an ack, not faster than throttles."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.QUEUED:
        return Skip("already settled")
    # Pages to people (and policy email entries) stop at the ack; webhooks still report.
    if delivery.purpose in (Purpose.PAGE, Purpose.EMAIL) and delivery.incident_id is not None:
        incident = session.get(Incident, delivery.incident_id)
        if incident is None or incident.phase != Phase.UNACKED:
            delivery.status = DeliveryStatus.CANCELLED
            delivery.last_error = f"incident {incident.phase.lower() if incident else 'gone'}"
            delivery.updated_at = now
            return Skip("incident no longer unacknowledged")
    window = THROTTLE.get(delivery.medium)
    if window is not None and delivery.contact_method_id is not None:
        # Lock the contact so two deliveries to one phone decide one after the other.
        session.scalar(
            select(ContactMethod.id)
            .where(ContactMethod.id == delivery.contact_method_id)
            .with_for_update()
        )
        last = session.scalar(
            select(func.max(Delivery.sending_at)).where(
                Delivery.contact_method_id == delivery.contact_method_id,
                Delivery.id != delivery.id,
                Delivery.status.in_([DeliveryStatus.SENT, DeliveryStatus.QUEUED]),
            )
        )
        if last is not None:
            last = _aware(last)
            if now - last < window:
                return Wait(last + window)
    delivery.sending_at = now
    resend = delivery.in_flight_since is not None
    if resend:
        delivery.resent_unrecorded += 1
    delivery.in_flight_since = now
    secret: str | None = None
    if delivery.webhook_id is not None:
        webhook = session.get(Webhook, delivery.webhook_id)
        secret = webhook.secret if webhook is not None else None
    number = delivery.data.get("incidentNumber") if delivery.data else None
    data = dict(delivery.data or {})
    if secret is not None:
        data["signing_secret"] = secret
    return Ready(
        Notification(
            medium=Medium(delivery.medium),
            to=delivery.destination,
            subject=delivery.subject,
            body=delivery.body,
            incident_number=None if number is None else str(number),
            data=data,
            idempotency_key=delivery.idempotency_key,
        ),
        secret=secret,
        resend=resend,
    )


def _aware(value: datetime) -> datetime:
    # Aggregates bypass the UtcDateTime type, so SQLite hands back naive UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True, slots=True)
class Recorded:
    retry_at: datetime | None
    jobs: list[Job]


def record_result(
    session: Session,
    delivery_id: int,
    result: DeliveryResult,
    *,
    links: LinkMaker | None,
    now: datetime,
) -> Recorded:
    """Write the attempt: sent; or retry later; or failed, then fall back to another contact."""
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.QUEUED:
        return Recorded(None, [])
    delivery.attempts += 1
    delivery.updated_at = now
    delivery.in_flight_since = None
    if result.ok:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = None
        sent = f"{_what(delivery)} sent to {delivery.destination}"
        if delivery.resent_unrecorded:
            sent += (
                " (sent again: an engine stopped before recording an earlier attempt; "
                "the receiver may drop the repeat by its idempotency key)"
            )
        _timeline(session, delivery, now, sent, detail=result.detail)
        return Recorded(None, [])
    delivery.last_error = result.detail or "failed"
    if result.retryable and delivery.attempts < MAX_ATTEMPTS:
        return Recorded(now + backoff(delivery.attempts), [])
    delivery.status = DeliveryStatus.FAILED
    _timeline(
        session,
        delivery,
        now,
        f"{_what(delivery)} to {delivery.destination} failed: {delivery.last_error}",
    )
    return Recorded(None, _fall_back(session, delivery, links=links, now=now))


def _what(delivery: Delivery) -> str:
    names = {
        Medium.EMAIL: "Email",
        Medium.SMS: "SMS",
        Medium.PHONE: "Phone call",
        Medium.PUSH: "Push notification",
        Medium.WEBHOOK: "Webhook",
        Medium.CHAT: "Chat message",
    }
    return names.get(Medium(delivery.medium), delivery.medium)


def _timeline(
    session: Session, delivery: Delivery, now: datetime, message: str, *, detail: str = ""
) -> None:
    if delivery.incident_id is None:
        return
    record_event(
        session,
        delivery.org_id,
        delivery.incident_id,
        kind=EventKind.DELIVERY,
        at=now,
        actor="system",
        message=message,
        data={
            "deliveryId": delivery.id,
            "medium": delivery.medium,
            "destination": delivery.destination,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "resentUnrecorded": delivery.resent_unrecorded,
            "idempotencyKey": delivery.idempotency_key,
            "purpose": delivery.purpose,
            "error": delivery.last_error,
            # What the channel said, e.g. that the console recorded it (nothing configured).
            "detail": detail,
        },
    )


FALLBACK_MEDIUM: dict[str, Medium] = {
    ContactKind.EMAIL: Medium.EMAIL,
    ContactKind.PHONE: Medium.SMS,
    ContactKind.DEVICE: Medium.PUSH,
}


def _fall_back(
    session: Session, delivery: Delivery, *, links: LinkMaker | None, now: datetime
) -> list[Job]:
    """A page that could not be delivered goes to the user's next untried contact method."""
    if delivery.purpose != Purpose.PAGE or delivery.user_id is None:
        return []
    if delivery.incident_id is None:
        return []
    incident = session.get(Incident, delivery.incident_id)
    user = session.get(User, delivery.user_id)
    if incident is None or user is None or incident.phase != Phase.UNACKED:
        return []
    tried = set(delivery.tried_contact_ids or [])
    for contact in _contacts(session, delivery.org_id, user.id):
        if contact.id in tried:
            continue
        medium = FALLBACK_MEDIUM.get(contact.kind)
        if medium is None:
            continue
        _, job = queue_page_delivery(
            session,
            delivery.org_id,
            incident,
            incident_facts(session, incident),
            user=user,
            contact=contact,
            medium=medium,
            destination=contact.value,
            reason=f"fallback after {_what(delivery).lower()} to {delivery.destination} failed",
            user_page_id=delivery.user_page_id,
            tried=sorted(tried),
            links=links,
            now=now,
        )
        return [job]
    return []
