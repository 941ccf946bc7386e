"""Tables: organization, api_key, api_key_usage, instance_secret."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, UtcDateTime


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    # X-VO-Api-Id: public, shown in the UI, identifies the org on every API call.
    api_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The REST and email endpoint keys appear in alert URLs; only their hashes are kept.
    rest_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # NOTES (c): whether WARNING alerts open incidents, and what an unparsable email becomes.
    is_warning_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    email_default_message_type: Mapped[str] = mapped_column(String(32), default="INFO")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    total_calls: Mapped[int] = mapped_column(BigInteger, default=0)


class ApiKeyUsage(Base):
    """Calls per key per UTC day, written in batches by the usage tally."""

    __tablename__ = "api_key_usage"

    api_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True
    )
    day_on: Mapped[date] = mapped_column(Date, primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)


class InstanceSecret(Base):
    """Server-wide generated secrets (e.g. the link-signing key when none is configured)."""

    __tablename__ = "instance_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
