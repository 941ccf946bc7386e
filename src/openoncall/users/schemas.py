"""Wire models for the users API (NOTES (b) "Users", live shapes of NOTES (f))."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, RootModel, model_validator

from openoncall.api.wire import WireModel, iso_z
from openoncall.users.models import User, UserColumns, display_name_of
from openoncall.users.roles import Role


def user_url(username: str) -> str:
    return f"/api-public/v1/user/{username}"


def user_wire(columns: UserColumns) -> dict[str, Any]:
    """A V1User body as plain JSON data: list endpoints encode these directly (no model per
    row), since building a model per user dominated the cost of listing large orgs."""
    username, first_name, last_name, email, created_at, password_updated_at, is_verified = columns
    return {
        "firstName": first_name,
        "lastName": last_name,
        "displayName": display_name_of(first_name, last_name, username),
        "username": username,
        "email": email,
        "createdAt": iso_z(created_at),
        "passwordLastUpdated": iso_z(password_updated_at) if password_updated_at else None,
        "verified": is_verified,
        "_selfUrl": user_url(username),
    }


class UserRead(WireModel):
    """V1User as live clients read it (the spec's AddUserResponse)."""

    first_name: str
    last_name: str
    display_name: str
    username: str
    email: str
    created_at: str
    password_last_updated: str | None
    verified: bool
    self_url: str = Field(alias="_selfUrl")

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls.model_validate(
            user_wire(
                (
                    user.username,
                    user.first_name,
                    user.last_name,
                    user.email,
                    user.created_at,
                    user.password_updated_at,
                    user.is_verified,
                )
            )
        )


class UserListV1(WireModel):
    """`GET /api-public/v1/user`: the live service nests the list in a second array."""

    users: list[list[UserRead]]
    self_url: str = Field(alias="_selfUrl")


class UserListV2(WireModel):
    users: list[UserRead]


class UserCreate(WireModel):
    """AddUserPayload; `admin` is deprecated and ignored, `expirationHours` only sizes links."""

    first_name: str = Field(max_length=255)
    last_name: str = Field(max_length=255)
    username: str = Field(max_length=64)
    email: str = Field(max_length=255)
    admin: bool | None = None
    expiration_hours: float | None = Field(default=None, ge=0)


class UserUpdate(WireModel):
    """AddUserPayload on PUT, where any field may be left out: the path names the user, and
    what is absent keeps its value."""

    first_name: str | None = Field(default=None, max_length=255)
    last_name: str | None = Field(default=None, max_length=255)
    username: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=255)
    admin: bool | None = None
    expiration_hours: float | None = Field(default=None, ge=0)


class BatchUserInput(WireModel):
    """An AddUserPayload inside a batch: checked per entry, so every field may be absent."""

    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    email: str | None = None


class BatchUserError(WireModel):
    code: str
    message: str


def _wrapped_form_too(schema: dict[str, Any]) -> None:
    """Document both forms the body accepts: the bare array, and `{"users": [...]}`."""
    array = {k: v for k, v in schema.items() if k not in ("title", "description")}
    schema.clear()
    schema["anyOf"] = [
        array,
        {"type": "object", "properties": {"users": array}, "required": ["users"]},
    ]


class BatchUsers(RootModel[list[BatchUserInput]]):
    """The batch body: an array of AddUserPayloads, at most 50 (Swagger 2020-06 maxItems).
    Clients also send the array wrapped as `{"users": [...]}`; both mean the same."""

    root: list[BatchUserInput] = Field(max_length=50)
    model_config = ConfigDict(json_schema_extra=_wrapped_form_too)

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, dict) and "users" in data:
            return data["users"]
        return data


class BatchAddUserEntry(WireModel):
    username: str
    self_url: str = Field(alias="_selfUrl")
    errors: list[BatchUserError]


class BatchAddUsersResponse(WireModel):
    """The live reply to a batch: `{"users": [{username, _selfUrl, errors}]}`."""

    users: list[BatchAddUserEntry]


class ReplacementStrategy(StrEnum):
    SPECIFIED_USER = "specifiedUser"
    GLOBAL_ADMIN = "globalAdmin"
    TEAM_ADMIN = "teamAdmin"


class UserDelete(WireModel):
    """DeleteUserPayload: who takes over the deleted user's rotations, policies and roles."""

    replacement: str | None = None
    replacement_strategy: ReplacementStrategy = ReplacementStrategy.SPECIFIED_USER


class Empty(WireModel):
    """`{}`: live responses always carry a JSON body, DELETE included (NOTES (f))."""


class UserRole(WireModel):
    """An extension: a user's global role (team admin is set per team, on the team)."""

    username: str | None = Field(
        default=None, description="Ignored on PUT: the path names the user."
    )
    role: Role = Field(
        description="global_admin, alert_admin, user or stakeholder (docs/roles.md)."
    )
