"""Table: delivery (one notification to one destination, with every attempt's outcome)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    # Not sent on purpose: the incident was acknowledged or resolved before its turn.
    CANCELLED = "cancelled"


class Delivery(OrgScoped, Base):
    __tablename__ = "delivery"
    __table_args__ = (
        # The throttle looks up the latest send to a contact method.
        Index("ix_delivery_contact_sending", "contact_method_id", "sending_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), nullable=True, index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    contact_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_method.id", ondelete="SET NULL"), nullable=True
    )
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook.id", ondelete="SET NULL"), nullable=True
    )
    user_page_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_page.id", ondelete="SET NULL"), nullable=True
    )
    # "page" (stops at ack), "webhook", "stakeholder", "email" (policy email entry).
    purpose: Mapped[str] = mapped_column(String(16))
    medium: Mapped[str] = mapped_column(String(16))
    destination: Mapped[str] = mapped_column(String(1024))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Why this was sent: the escalation step and entry, or the personal paging step.
    reason: Mapped[str] = mapped_column(Text, default="")
    # Contact methods already tried for this page (the fallback picks the next untried one).
    tried_contact_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When the latest attempt began: the throttle counts attempts in flight, not only sends.
    sending_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Set when an attempt begins and cleared when its outcome is written: still set at the
    # next attempt means an engine stopped mid-send, so this one may be a repeat.
    in_flight_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The same on every attempt: webhooks send it as Idempotency-Key and email as its
    # Message-ID, so a receiver can drop a repeat.
    idempotency_key: Mapped[str] = mapped_column(
        String(32), default=lambda: uuid.uuid4().hex, unique=True
    )
    # Attempts made while an earlier one's outcome was never written (see in_flight_since).
    resent_unrecorded: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
