"""Wire models for paging-policy vocabularies."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel


class TypeDescription(WireModel):
    type: str
    description: str


class TimeoutDescription(WireModel):
    type: int
    description: str


class NotificationTypes(WireModel):
    notification_types: list[TypeDescription]
    self_url: str = Field(alias="_selfUrl")


class ContactTypes(WireModel):
    contact_types: list[TypeDescription]
    self_url: str = Field(alias="_selfUrl")


class TimeoutTypes(WireModel):
    timeout_types: list[TimeoutDescription]
    self_url: str = Field(alias="_selfUrl")
