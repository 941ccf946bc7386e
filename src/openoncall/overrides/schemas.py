"""Wire models for scheduled overrides, their assignments and Take On-Call (NOTES (b))."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel


class ScheduledOverridePayload(WireModel):
    username: str
    timezone: str
    start: str
    end: str


class ScheduledUser(WireModel):
    username: str
    first_name: str
    last_name: str


class Assignment(WireModel):
    self_url: str = Field(alias="_selfUrl")
    team: str
    policy: str
    assigned: bool
    user: str | None


class ScheduledOverride(WireModel):
    public_id: str
    user: ScheduledUser
    timezone: str
    start: str
    end: str
    assignments: list[Assignment]


class OverrideList(WireModel):
    self_url: str = Field(alias="_selfUrl")
    overrides: list[ScheduledOverride]


class OverrideCreated(WireModel):
    self_url: str = Field(alias="_selfUrl")
    schedule: ScheduledOverride


class OverrideRead(WireModel):
    self_url: str = Field(alias="_selfUrl")
    override: ScheduledOverride


class UpdateAssignment(WireModel):
    policy: str
    username: str | None = None


class TakeRequest(WireModel):
    from_user: str
    to_user: str


class TakeResult(WireModel):
    result: str
