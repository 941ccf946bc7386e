"""Outgoing webhook use cases: create (secret shown once), list, remove. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.errors import AlreadyExists, InvalidInput, NotFound
from openoncall.ids import new_secret, new_slug
from openoncall.webhooks.models import Webhook


@dataclass(frozen=True, slots=True)
class CreatedWebhook:
    webhook: Webhook
    # The HMAC signing secret, for the receiver's configuration; returned only here.
    secret: str


def create_webhook(
    session: Session, org_id: int, *, label: str, url: str, now: datetime
) -> CreatedWebhook:
    label = label.strip()
    if not label:
        raise InvalidInput("A webhook needs a label", field="label")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"Invalid webhook URL: {url}", field="url")
    if session.scalar(select(Webhook.id).where(Webhook.org_id == org_id, Webhook.label == label)):
        raise AlreadyExists(f"A webhook labelled {label} already exists", field="label")
    secret = new_secret(32)
    webhook = Webhook(
        org_id=org_id,
        slug=new_slug("whk", 12),
        label=label,
        url=url.strip(),
        secret=secret,
        created_at=now,
    )
    session.add(webhook)
    session.flush()
    return CreatedWebhook(webhook=webhook, secret=secret)


def list_webhooks(session: Session, org_id: int) -> list[Webhook]:
    return list(
        session.scalars(
            select(Webhook).where(Webhook.org_id == org_id).order_by(Webhook.label, Webhook.id)
        )
    )


def get_webhook(session: Session, org_id: int, slug: str) -> Webhook:
    webhook = session.scalar(select(Webhook).where(Webhook.org_id == org_id, Webhook.slug == slug))
    if webhook is None:
        raise NotFound(f"Webhook {slug} not found", field="slug")
    return webhook


def remove_webhook(session: Session, org_id: int, slug: str) -> None:
    """Policies that name it keep the slug; paging records that the webhook is gone."""
    session.delete(get_webhook(session, org_id, slug))
    session.flush()
