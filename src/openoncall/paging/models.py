"""Table: user_page (one user's personal paging for one incident)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class UserPage(OrgScoped, Base):
    """One user's personal paging for one incident: their policy's steps, then the last again.

    One row per (incident, user): a user reached by two steps or two policies is paged by one
    running personal policy, not two.
    """

    __tablename__ = "user_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The personal steps as they were when paging began:
    # [{"timeout_minutes": 5, "rules": [{"type": "email", "contact_id": 12}]}].
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The step the next personal job runs; runs past the end repeat the last step.
    next_step_index: Mapped[int] = mapped_column(Integer, default=0)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
