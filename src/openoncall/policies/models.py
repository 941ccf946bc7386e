"""Tables: escalation_policy, escalation_step, escalation_entry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class ExecutionType(StrEnum):
    ROTATION_GROUP = "rotation_group"
    ROTATION_GROUP_NEXT = "rotation_group_next"
    ROTATION_GROUP_PREVIOUS = "rotation_group_previous"
    USER = "user"
    EMAIL = "email"
    WEBHOOK = "webhook"
    POLICY_ROUTING = "policy_routing"
    # Beyond the Swagger's seven: the live service pages every member of the policy's team.
    TEAM_PAGE = "team_page"


class EscalationPolicy(OrgScoped, Base):
    __tablename__ = "escalation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    is_ignoring_custom_paging_policies: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EscalationStep(OrgScoped, Base):
    __tablename__ = "escalation_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    timeout_minutes: Mapped[int] = mapped_column(Integer, default=0)


class EscalationEntry(OrgScoped, Base):
    __tablename__ = "escalation_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_step.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    execution_type: Mapped[str] = mapped_column(String(32))
    rotation_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("rotation_group.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=True
    )
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Outgoing webhooks are defined by the paging part; entries refer to them by slug.
    webhook_slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="CASCADE"), nullable=True
    )
