"""Wire models for incidents, notes, alerts, incident commands and the v2 incident history.

Shapes follow NOTES (b) "Incidents"/"Notes"/"Reporting" with the live-service corrections of
NOTES (f): `incidentNumber` is a string, `POST /incidents` answers `{incidentNumber, entityId}`,
notes take snake_case `display_name` in and give camelCase `displayName` out, and the reporting
API spells phases and states in lower case.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator

from openoncall.api.wire import WireModel
from openoncall.storable import find_unstorable


def _number_as_text(value: Any) -> Any:
    """An incident number sent as a JSON number becomes its string form."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class RequestBody(WireModel):
    """A request body whose every value both databases store alike (`storable.py`: no NUL,
    lone surrogate, NaN or over-deep nesting), else a 400 naming the field."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: object, info: ValidationInfo) -> object:
        problem = find_unstorable(value, info.field_name or "value")
        if problem is not None:
            where = "" if problem.field == info.field_name else f"{problem.field} "
            raise ValueError(f"{where}{problem.reason}")
        return value


# ---------------------------------------------------------------- shared pieces


class PolicyRef(WireModel):
    name: str
    slug: str
    self_url: str = Field(alias="_selfUrl")


class TeamRef(WireModel):
    name: str
    slug: str


class EscalationPolicyInfo(WireModel):
    """An item of `pagedPolicies`, shaped like an item of the policy list (NOTES (f))."""

    policy: PolicyRef
    team: TeamRef


class IncidentTransition(WireModel):
    """`{name, at, by, message, manually, alertId, alertUrl}`; `by` is a username when manual."""

    name: str
    at: str
    by: str | None
    message: str | None
    manually: bool
    alert_id: str | None
    alert_url: str | None


# ---------------------------------------------------------------- reading incidents


class IncidentInfo(WireModel):
    """NOTES (b) gives `lastAlertTime` the Java pattern `yyyy-MM-dd'T'HH:mm:ssZ`; like every
    other instant here it is written in UTC with a literal `Z` (`2020-03-24T19:31:57Z`), which
    ISO-8601 parsers in every client language read, unlike `+0000`."""

    incident_number: str
    start_time: str
    current_phase: str
    alert_count: int
    last_alert_time: str | None
    last_alert_id: str | None
    entity_id: str
    entity_display_name: str | None
    entity_state: str | None
    entity_type: str | None
    routing_key: str | None
    host: str | None
    service: str | None
    paged_users: list[str]
    paged_teams: list[str]
    paged_policies: list[EscalationPolicyInfo]
    transitions: list[IncidentTransition]
    first_alert_uuid: str | None
    monitor_name: str | None
    monitor_type: str | None


class IncidentList(WireModel):
    incidents: list[IncidentInfo]


class ReportingIncidentInfo(WireModel):
    incident_number: str
    start_time: str
    current_phase: str
    alert_count: int
    last_alert_time: str | None
    last_alert_id: str | None
    entity_id: str
    entity_display_name: str | None
    entity_state: str | None
    entity_type: str | None
    host: str | None
    service: str | None
    routing_key: str | None
    paged_users: list[str]
    paged_teams: list[str]
    paged_policies: list[EscalationPolicyInfo]
    transitions: list[IncidentTransition]


class ReportingIncidentList(WireModel):
    offset: int
    limit: int
    total: int
    incidents: list[ReportingIncidentInfo]


# ---------------------------------------------------------------- commands


_TARGET_TYPES = {"user": "User", "escalationpolicy": "EscalationPolicy"}


class IncidentTarget(RequestBody):
    """`{type: "User"|"EscalationPolicy", slug}`: slug is a username or a policy slug."""

    type: Literal["User", "EscalationPolicy"]
    slug: str = Field(min_length=1)

    @field_validator("type", mode="before")
    @classmethod
    def _type_any_case(cls, value: Any) -> Any:
        # Hand-written clients send "user" or "escalationPolicy"; the meaning is the same.
        if isinstance(value, str):
            return _TARGET_TYPES.get(value.strip().lower(), value)
        return value


class CreateIncidentRequest(RequestBody):
    summary: str = Field(min_length=1, max_length=1024)
    details: str = Field(max_length=65536)
    user_name: str = Field(min_length=1)
    targets: list[IncidentTarget] = Field(min_length=1)
    is_multi_responder: bool = False


class CreatedIncident(WireModel):
    incident_number: str
    entity_id: str


class AckOrResolveRequest(RequestBody):
    user_name: str = Field(min_length=1)
    incident_names: list[str] = Field(min_length=1, max_length=1000)
    message: str | None = Field(default=None, max_length=65536)

    @field_validator("incident_names", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        # The spec says strings, but clients also send JSON numbers; both name an incident.
        if isinstance(value, list):
            return [_number_as_text(v) for v in value]
        return value


class AckOrResolveByUserRequest(RequestBody):
    user_name: str = Field(min_length=1)
    message: str | None = Field(default=None, max_length=65536)


class AckOrResolveResult(WireModel):
    incident_number: str
    entity_id: str | None
    cmd_accepted: bool
    message: str


class AckOrResolveResponse(WireModel):
    results: list[AckOrResolveResult]


class Reroute(RequestBody):
    incident_number: str = Field(min_length=1)
    targets: list[IncidentTarget] = Field(min_length=1)
    add_targets: bool = False

    @field_validator("incident_number", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        # Clients send the number as a JSON number or a string; both mean the same incident.
        return _number_as_text(value)


class RerouteCollection(RequestBody):
    user_name: str = Field(min_length=1)
    reroutes: list[Reroute] = Field(min_length=1, max_length=1000)


class TargetStatus(WireModel):
    slug: str
    success: bool
    message: str


class RerouteStatus(WireModel):
    incident_number: str
    success: bool
    message: str
    target_status: list[TargetStatus]


class RerouteStatusResponse(WireModel):
    statuses: list[RerouteStatus]


# ---------------------------------------------------------------- notes

# NOTES (b): json_value may be up to 16 MB; the request size is bounded by the server.
MAX_NOTE_NAME = 255


class NotesPayload(RequestBody):
    """POST/PUT body: snake_case `display_name` (camelCase also accepted) and `json_value`."""

    name: str = Field(min_length=1, max_length=MAX_NOTE_NAME)
    display_name: str | None = Field(
        default=None,
        max_length=255,
        validation_alias=AliasChoices("display_name", "displayName"),
    )
    json_value: dict[str, Any] = Field(
        default_factory=dict, validation_alias=AliasChoices("json_value", "jsonValue")
    )


class NotesUpdatePayload(RequestBody):
    """PUT body: the note is named by the path, so `name` is optional here."""

    name: str | None = Field(default=None, max_length=MAX_NOTE_NAME)
    display_name: str | None = Field(
        default=None,
        max_length=255,
        validation_alias=AliasChoices("display_name", "displayName"),
    )
    json_value: dict[str, Any] = Field(
        default_factory=dict, validation_alias=AliasChoices("json_value", "jsonValue")
    )


class Note(WireModel):
    name: str
    display_name: str
    json_value: dict[str, Any] = Field(alias="json_value")


# ---------------------------------------------------------------- alerts


class GetAlertResponse(WireModel):
    message_type: str
    entity_id: str
    timestamp: int
    state_start_time: int
    state_message: str | None
    monitoring_tool: str | None
    entity_display_name: str | None
    ack_msg: str | None
    ack_author: str | None
    raw: str
