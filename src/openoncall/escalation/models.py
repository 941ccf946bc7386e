"""Table: escalation_progress (one per paged policy of an incident)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class EscalationProgress(OrgScoped, Base):
    """Where one policy's escalation of one incident stands; the engine advances it.

    `snapshot` is the policy as it was when paging started (escalation/snapshot.py), so an
    edit mid-incident never changes a running escalation. `next_step_index` and
    `next_due_at` say what runs next; `version` is bumped by every advance, and the step job
    carries the version it expects, so a rerun of an old job changes nothing.
    """

    __tablename__ = "escalation_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    # Why this escalation exists: "start", "reroute:{event}", "routing:{parent progress}".
    # Unique per incident, so a rerun of the starting job never starts a second one.
    origin: Mapped[str] = mapped_column(String(128), unique=True)
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="SET NULL"), nullable=True
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    next_step_index: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it stopped: "completed", "acknowledged", "resolved", "rerouted".
    stopped_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
