"""Tables: routing_key and routing_key_target (routing key → escalation policies)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class RoutingKey(OrgScoped, Base):
    """Routing keys are case-sensitive (NOTES (b)); the unique index compares bytes."""

    __tablename__ = "routing_key"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RoutingKeyTarget(OrgScoped, Base):
    __tablename__ = "routing_key_target"
    __table_args__ = (UniqueConstraint("routing_key_id", "policy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    routing_key_id: Mapped[int] = mapped_column(
        ForeignKey("routing_key.id", ondelete="CASCADE"), index=True
    )
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


routing_key_table = _table(RoutingKey)
routing_key_target_table = _table(RoutingKeyTarget)
