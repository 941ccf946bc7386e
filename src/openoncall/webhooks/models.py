"""Table: webhook (outgoing webhooks that escalation entries refer to by slug)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class Webhook(OrgScoped, Base):
    __tablename__ = "webhook"
    __table_args__ = (UniqueConstraint("org_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(2048))
    # The HMAC-SHA256 signing secret. Kept in plain text on purpose: the server must compute
    # the signature with it on every call, so a one-way hash (as for API keys) cannot work;
    # it is shown once at creation and never returned by the API. Protect the database.
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
