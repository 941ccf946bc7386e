"""Wire models for the Rules Engine (NOTES (b) "Alert rules") and the dry-run extension."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from openoncall.api.wire import WireModel
from openoncall.storable import MAX_DB_INT, MIN_DB_INT


class AnnotationPayload(WireModel):
    annotation_type: str = "s"
    field_name: str
    field_value: str = ""
    flags: int = Field(default=0, ge=MIN_DB_INT, le=MAX_DB_INT)


class AlertRulePayload(WireModel):
    """The request uses `routingKey`; the response says `routeKey` (as the vendor does)."""

    alert_field: str
    alert_value_match: str
    match_type: str = "WILDCARD"
    stop_flag: bool = False
    notes: str = ""
    rank: int = Field(default=0, le=MAX_DB_INT)
    routing_key: str | None = None
    annotations: list[AnnotationPayload] = Field(default_factory=list)


class AnnotationInfo(WireModel):
    id: int
    annotation_type: str
    field_name: str
    field_value: str
    flags: int


class AlertRuleInfo(WireModel):
    id: int
    alert_field: str
    alert_value_match: str
    match_type: str
    rank: int
    stop_flag: bool
    last_updated: int  # epoch milliseconds
    last_updated_by: str
    notes: str
    route_key: str | None
    annotations: list[AnnotationInfo]


class DeletedAlertRule(WireModel):
    id: int


class PolicyRef(WireModel):
    name: str
    slug: str
    team_slug: str
    self_url: str = Field(alias="_selfUrl")


class PagedNow(WireModel):
    policy_slug: str
    usernames: list[str]


class DryRunResult(WireModel):
    """What the alert would do if it arrived now; nothing is written."""

    matched_rules: list[AlertRuleInfo]
    alert: dict[str, Any]
    message_type: str
    entity_id: str
    requested_routing_key: str | None
    routing_key: str
    is_muted: bool
    incident_action: str
    open_incident_number: str | None
    policies: list[PolicyRef]
    paged_now: list[PagedNow]
    note: str | None = None
