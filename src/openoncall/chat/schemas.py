"""Wire models for `POST /api-public/v1/chat` (NOTES (a2), client-derived and provisional)."""

from __future__ import annotations

from pydantic import Field, field_validator

from openoncall.api.wire import WireModel
from openoncall.incidents.schemas import RequestBody


class ChatMessage(RequestBody):
    """`{username, externalUsername?, text, monitoringTool?, incidentId?, tags?}`."""

    username: str = Field(min_length=1, max_length=255)
    external_username: str | None = Field(default=None, max_length=255)
    text: str = Field(min_length=1, max_length=65536)
    monitoring_tool: str | None = Field(default=None, max_length=255)
    # The incident number; clients send it as a number or a string.
    incident_id: str | None = None
    tags: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("incident_id", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ChatAccepted(WireModel):
    """Every response has a JSON body (NOTES (f)); the vendor's is empty, so keep it small."""

    result: str
