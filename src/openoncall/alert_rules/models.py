"""Tables: alert_rule and alert_rule_annotation (the Rules Engine)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class AlertRule(OrgScoped, Base):
    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_field: Mapped[str] = mapped_column(String(255))
    alert_value_match: Mapped[str] = mapped_column(Text)
    match_type: Mapped[str] = mapped_column(String(16), default="WILDCARD")
    # 0 is the highest rank: rules run in (rank, id) order.
    rank: Mapped[int] = mapped_column(Integer, default=0)
    stop_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    route_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_updated_by: Mapped[str] = mapped_column(String(128), default="")


class AlertRuleAnnotation(OrgScoped, Base):
    """annotationType i|u|s; flags 0 = annotation, 1 = transformation of `field_name`."""

    __tablename__ = "alert_rule_annotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rule.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    annotation_type: Mapped[str] = mapped_column(String(1), default="s")
    field_name: Mapped[str] = mapped_column(String(255))
    field_value: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[int] = mapped_column(Integer, default=0)
