"""Table: org_event (organization-wide timeline entries that belong to no incident).

`incident_event` rows always name an incident; a chat message or a stakeholder message sent
without `incidentId` goes to the organization's own timeline here instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class OrgEvent(OrgScoped, Base):
    """One org-wide timeline entry; `id` order is the timeline order."""

    __tablename__ = "org_event"
    __table_args__ = (Index("ix_org_event_org_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same vocabulary as incident_event.kind ("chat", "stakeholder").
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str | None] = mapped_column(String(128), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
