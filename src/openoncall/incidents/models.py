"""Tables: incident, incident_counter, incident_event (the timeline), incident_note and the
paged policies/teams/users of each incident."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class Phase(StrEnum):
    """`currentPhase` on the wire (NOTES (b) "Incidents")."""

    UNACKED = "UNACKED"
    ACKED = "ACKED"
    RESOLVED = "RESOLVED"


class EventKind(StrEnum):
    """What a timeline entry records; the UI and reports read these."""

    ALERT = "alert"
    TRANSITION = "transition"
    NOTE = "note"
    CHAT = "chat"
    REROUTE = "reroute"
    PAGE = "page"
    DELIVERY = "delivery"
    STAKEHOLDER = "stakeholder"
    MUTED = "muted"
    ANNOTATION = "annotation"


class IncidentCounter(Base):
    """The last incident number handed out per organization.

    Numbers come from `UPDATE … SET last_number = last_number + k RETURNING last_number` in the
    transaction that inserts the incidents: the row lock serializes concurrent openers and a
    rollback returns the numbers, so numbers are sequential and gap-free.
    """

    __tablename__ = "incident_counter"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Incident(OrgScoped, Base):
    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("org_id", "number"),
        # At most one open incident per entity: `open_entity_id` equals `entity_id` while the
        # incident is UNACKED/ACKED and is NULL once RESOLVED (NULLs never collide), so two
        # racing CRITICALs cannot both open one, on SQLite and PostgreSQL alike.
        UniqueConstraint("org_id", "open_entity_id"),
        Index("ix_incident_org_phase", "org_id", "phase"),
        Index("ix_incident_org_entity", "org_id", "entity_id"),
        # The current list reads the recently resolved by this index, not the whole history.
        Index("ix_incident_org_resolved", "org_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[str] = mapped_column(String(512))
    open_entity_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    entity_display_name: Mapped[str] = mapped_column(Text, default="")
    # The message type that opened it (CRITICAL, WARNING) or that was last aggregated.
    entity_state: Mapped[str] = mapped_column(String(32), default="CRITICAL")
    entity_type: Mapped[str] = mapped_column(String(16), default="SERVICE")
    state_message: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(16), default=Phase.UNACKED)
    routing_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    first_alert_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    last_alert_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_alert_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    service: Mapped[str | None] = mapped_column(String(255), nullable=True)
    monitoring_tool: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # `monitorType` (API, Email, Manual …) and `monitorName` (who or what created it).
    monitor_type: Mapped[str] = mapped_column(String(32), default="API")
    monitor_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Opened during maintenance mode: recorded, shown, never paged.
    is_muted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_multi_responder: Mapped[bool] = mapped_column(Boolean, default=False)
    acked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.RESOLVED


class IncidentPagedPolicy(OrgScoped, Base):
    """`pagedPolicies`: the escalation policies an incident pages (set when it opens)."""

    __tablename__ = "incident_paged_policy"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policy.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IncidentPagedTeam(OrgScoped, Base):
    """`pagedTeams`: the teams owning the paged policies (or targeted directly)."""

    __tablename__ = "incident_paged_team"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IncidentPagedUser(OrgScoped, Base):
    """`pagedUsers`: users targeted directly or paged by the engine (byUser ack/resolve)."""

    __tablename__ = "incident_paged_user"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IncidentEvent(OrgScoped, Base):
    """One timeline entry; `id` order is the timeline order."""

    __tablename__ = "incident_event"
    __table_args__ = (Index("ix_incident_event_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A username, "system", or the monitoring tool for alerts.
    actor: Mapped[str | None] = mapped_column(String(128), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    alert_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Kind-specific detail, e.g. {"name": "ACKED", "manually": true} for a transition.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IncidentNote(OrgScoped, Base):
    """Incident notes (NOTES (b) "Notes"): addressed by name within an incident."""

    __tablename__ = "incident_note"
    __table_args__ = (UniqueConstraint("incident_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255), default="")
    json_value: Mapped[Any] = mapped_column(JSON, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# Core handles for the hot path and bulk writes (typed as Table, unlike `Model.__table__`).
incident_table = _table(Incident)
incident_counter_table = _table(IncidentCounter)
incident_event_table = _table(IncidentEvent)
incident_paged_policy_table = _table(IncidentPagedPolicy)
incident_paged_team_table = _table(IncidentPagedTeam)
incident_paged_user_table = _table(IncidentPagedUser)
