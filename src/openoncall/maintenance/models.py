"""Table: maintenance_mode (active and ended maintenance windows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class MaintenanceMode(OrgScoped, Base):
    __tablename__ = "maintenance_mode"
    # Only one active global window per org: `global_slot` is 1 while a global window is
    # active and NULL otherwise, so a racing second start hits the unique index (409).
    __table_args__ = (UniqueConstraint("org_id", "global_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(64), unique=True)
    is_global: Mapped[bool] = mapped_column(Boolean, default=False)
    global_slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    routing_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text, default="")
    started_by: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
