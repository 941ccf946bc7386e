"""Table: alert (every alert received, with its raw payload, kept for GET /alerts/{uuid})."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class MessageType(StrEnum):
    """`message_type` of the REST endpoint (NOTES (c)); OK is stored as RECOVERY."""

    CRITICAL = "CRITICAL"
    WARNING = "WARNING"
    INFO = "INFO"
    ACKNOWLEDGEMENT = "ACKNOWLEDGEMENT"
    RECOVERY = "RECOVERY"


class AlertSource(StrEnum):
    REST = "REST"
    EMAIL = "EMAIL"


class Alert(OrgScoped, Base):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_org_entity", "org_id", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    source: Mapped[str] = mapped_column(String(16), default=AlertSource.REST)
    # The routing key as sent (None: none in the URL) and the one it was routed by.
    routing_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    routed_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    message_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(512))
    entity_display_name: Mapped[str] = mapped_column(Text, default="")
    state_message: Mapped[str] = mapped_column(Text, default="")
    monitoring_tool: Mapped[str | None] = mapped_column(String(255), nullable=True)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    state_start_time: Mapped[datetime] = mapped_column(UtcDateTime())
    # The alert after the rules engine (transformations and annotations applied).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The payload exactly as received (the `raw` of GetAlertResponse).
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), nullable=True, index=True
    )


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


alert_table = _table(Alert)
