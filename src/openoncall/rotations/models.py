"""Tables: rotation_group, rotation_shift, rotation_member."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class ShiftType(StrEnum):
    """The VictorOps `shifttype` codes."""

    STANDARD = "std"  # 24/7, handing off every N days at a local time of day
    PARTIAL_DAY = "pho"  # chosen weekdays between two local times
    MULTI_DAY = "cstm"  # spans days of the week, e.g. Friday 17:00 to Monday 09:00


class RotationGroup(OrgScoped, Base):
    __tablename__ = "rotation_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RotationShift(OrgScoped, Base):
    __tablename__ = "rotation_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_group.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))
    shift_type: Mapped[str] = mapped_column(String(8))
    # The first handoff: its local wall-clock time in `timezone` is the handoff time of day.
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # 24/7 shifts: days between handoffs (7 for weekly).
    handoff_days: Mapped[int] = mapped_column(Integer, default=7)
    # Partial-day and multi-day shifts: weekdays and local times, in the VictorOps mask shape.
    mask: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "Set the scheduled user": members advance from this index at `start_at`.
    member_offset: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RotationMember(OrgScoped, Base):
    __tablename__ = "rotation_member"
    __table_args__ = (UniqueConstraint("shift_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_shift.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
