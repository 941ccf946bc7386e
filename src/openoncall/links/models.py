"""Table: provider_request (signed provider webhooks already acted on, for replay refusal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, UtcDateTime


class ProviderRequest(Base):
    """One inbound SMS or call, by the provider's id (Twilio's MessageSid or CallSid).

    Not org-scoped: the provider's ids are unique across its accounts, and which org a reply
    concerns is only known after the sender's number is looked up.
    """

    __tablename__ = "provider_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
