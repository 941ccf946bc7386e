"""Wire models for `POST /api-public/v1/stakeholders/sendMessage` (NOTES (a2), provisional)."""

from __future__ import annotations

from pydantic import Field, field_validator

from openoncall.api.wire import WireModel
from openoncall.incidents.schemas import RequestBody


class StakeholderMessage(RequestBody):
    """`{title, message, incidentId, recipients:[username], recipientTeams:[teamSlug]}`."""

    title: str = Field(min_length=1, max_length=1024)
    message: str = Field(min_length=1, max_length=65536)
    incident_id: str | None = None
    recipients: list[str] = Field(default_factory=list, max_length=1000)
    recipient_teams: list[str] = Field(default_factory=list, max_length=1000)

    @field_validator("incident_id", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class StakeholderMessageAccepted(WireModel):
    """The vendor answers with an empty ack; we name who the message goes to."""

    result: str
    recipients: list[str]
