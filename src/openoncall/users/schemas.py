"""Wire models for the users API (NOTES (b) "Users", live shapes of NOTES (f))."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from openoncall.api.wire import WireModel, iso_z
from openoncall.users.models import User, UserColumns, display_name_of


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


class BatchUserInput(WireModel):
    """An AddUserPayload inside a batch: checked per entry, so every field may be absent."""

    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    email: str | None = None


class BatchUserError(WireModel):
    code: str
    message: str


class BatchAddUserEntry(WireModel):
    username: str
    errors: list[BatchUserError]


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
