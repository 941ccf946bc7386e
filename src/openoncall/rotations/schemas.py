"""Wire models for the rotations API (NOTES (a2) and (b) "Rotations / shifts"; provisional).

These operations are not in the 2020-06 Swagger: their shapes come from client code
(go-victorops). The odd snake_case and lower-case keys (`rot_id`, `group_id`, `shifttype`,
`orgslug`, `teamslug`) are what those clients read, so they carry explicit aliases.
Masks travel in the VictorOps shape and are validated by the service, which names the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from openoncall.api.wire import WireModel


class ShiftCreate(WireModel):
    """One shift of a create request. `start` is epoch ms or an ISO-8601 (Joda) date;
    `duration` is the days between handoffs; members come as `usernames` (or `shiftMembers`,
    which some gateways use)."""

    label: Any = None
    timezone: Any = None
    start: Any = None
    duration: Any = None
    shift_type: Any = Field(default=None, alias="shifttype")
    mask: Any = None
    mask2: Any = None
    mask3: Any = None
    usernames: Any = None
    shift_members: Any = None


class RotationCreate(WireModel):
    label: Any = None
    shifts: list[ShiftCreate] = Field(default_factory=list)


class RotationGroupItem(WireModel):
    """An item of the v1 list: the spec's RotationGroup plus the `groupId` clients read."""

    group_id: int
    team_slug: str
    slug: str
    label: str


class RotationGroupList(WireModel):
    rotation_groups: list[RotationGroupItem]


class ShiftMemberOut(WireModel):
    slug: str
    username: str


class PeriodV1(WireModel):
    """An on-call period; v1 timestamps are epoch milliseconds."""

    start: int
    end: int
    username: str
    is_roll: bool
    member_slug: str


class ShiftV1(WireModel):
    rot_id: int = Field(alias="rot_id")
    group_id: int = Field(alias="group_id")
    label: str
    timezone: str
    start: int
    duration: int
    shift_type: str = Field(alias="shifttype")
    mask: dict[str, Any] | None
    mask2: dict[str, Any] | None
    mask3: dict[str, Any] | None
    periods: list[PeriodV1]
    oncall: str | None
    current: PeriodV1 | None
    next: PeriodV1 | None
    shift_members: list[ShiftMemberOut]


class RotationGroupV1(WireModel):
    """The create response (client-derived RotationGroupResponse), plus the group's slug."""

    orgslug: str = Field(alias="orgslug")
    teamslug: str = Field(alias="teamslug")
    id: int
    slug: str
    label: str
    shifts: list[ShiftV1]


class PeriodV2(WireModel):
    """v2 timestamps: ISO-8601 with the offset of the shift's time zone."""

    start: str
    end: str
    username: str
    is_roll: bool
    member_slug: str


def _absent_when_none(value: object) -> bool:
    return value is None


class ShiftV2(WireModel):
    """`start` is UTC with a `Z` and the zone travels in `timezone` (migration tooling parses
    exactly that); every shift has a `mask`, while `mask2`/`mask3` are left out when unused."""

    shift_id: int
    label: str
    timezone: str
    start: str
    duration: int
    shift_type: str = Field(alias="shifttype")
    mask: dict[str, Any]
    mask2: dict[str, Any] | None = Field(default=None, exclude_if=_absent_when_none)
    mask3: dict[str, Any] | None = Field(default=None, exclude_if=_absent_when_none)
    current: PeriodV2 | None
    next: PeriodV2 | None
    periods: list[PeriodV2]
    shift_members: list[ShiftMemberOut]


class RotationV2(WireModel):
    group_id: int
    slug: str
    label: str
    total_members_in_rotation: int
    shifts: list[ShiftV2]


class RotationListV2(WireModel):
    rotations: list[RotationV2]


class ScheduledUser(WireModel):
    username: str
    first_name: str
    last_name: str
    display_name: str
    version: int
    verified: bool


class SetScheduled(WireModel):
    """Make `username` the shift's scheduled (on-call) member now; `position` (0-based) or
    `memberSlug` pick one occurrence when the user is in the rotation more than once."""

    username: Any = None
    position: Any = None
    member_slug: Any = None
