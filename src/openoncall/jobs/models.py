"""Table: job (the transactional outbox and timer wheel)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, UtcDateTime


class Job(Base):
    """Due work. A job row written in a request's transaction is the promise to do it."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_due", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Idempotency: a second enqueue of the same work is a no-op (unique).
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
