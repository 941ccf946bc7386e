"""WireModel: the base of every request and response body, with VictorOps field names."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python.

    Requests ignore unknown fields rather than forbid them: real clients (Terraform, SDKs)
    send extra fields such as the deprecated `admin` flag, and must keep working.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="ignore",
    )


def iso_z(at: datetime) -> str:
    """ISO-8601 UTC with a `Z`, seconds precision: `2020-03-24T19:31:57Z`."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
