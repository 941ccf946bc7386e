"""Tables: scheduled_override, override_assignment, oncall_take."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class ScheduledOverride(OrgScoped, Base):
    """`user_id` is the person whose on-call is covered between start and end."""

    __tablename__ = "scheduled_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OverrideAssignment(OrgScoped, Base):
    """Hands one policy of an override to a chosen user; no user means not yet assigned."""

    __tablename__ = "override_assignment"
    __table_args__ = (UniqueConstraint("override_id", "policy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    override_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_override.id", ondelete="CASCADE"), index=True
    )
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=True
    )


class OnCallTake(OrgScoped, Base):
    """Take On-Call: `to_user` replaces `from_user` on a policy from start until end."""

    __tablename__ = "oncall_take"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="CASCADE"), index=True
    )
    from_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
