"""Wire models for maintenance mode (NOTES (b) "Maintenance mode")."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel


class MaintenanceModeTarget(WireModel):
    type: str
    names: list[str]


class ActiveMaintenanceMode(WireModel):
    instance_id: str
    started_by: str
    started_at: int  # epoch milliseconds
    is_global: bool
    targets: list[MaintenanceModeTarget]


class MaintenanceModeState(WireModel):
    company_id: str
    active_instances: list[ActiveMaintenanceMode]


class StartMaintenanceMode(WireModel):
    type: str = "RoutingKeys"
    names: list[str] = Field(default_factory=list)
    purpose: str = ""
