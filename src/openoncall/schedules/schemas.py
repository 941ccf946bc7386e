"""Wire models for on-call now, team and user schedules (v1 epoch ms, v2 ISO with offsets).

NOTES (b) "On-call schedule responses" and (f): on-call now is spelled `oncallNow` and
`onCalluser` by the live service; v2 timestamps carry the offset of the shift's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from openoncall.api.wire import WireModel
from openoncall.schedules.now import OnCallNow


def iso_in_zone(at: datetime, zone: ZoneInfo | None) -> str:
    """`2020-03-31T09:00:00-06:00`: the instant in the zone's local time with its offset;
    plain UTC (`Z`) when there is no zone to speak of."""
    if zone is None:
        return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return at.astimezone(zone).isoformat(timespec="seconds")


class NameSlug(WireModel):
    name: str
    slug: str


class OnCallUserRef(WireModel):
    username: str


class OnCallNowUser(WireModel):
    # Live spelling: `onCalluser` (lower-case u).
    on_call_user: OnCallUserRef = Field(alias="onCalluser")


class OnCallNowPolicy(WireModel):
    escalation_policy: NameSlug
    users: list[OnCallNowUser]


class OnCallNowTeam(WireModel):
    team: NameSlug
    oncall_now: list[OnCallNowPolicy] = Field(alias="oncallNow")


class OnCallCurrent(WireModel):
    teams_on_call: list[OnCallNowTeam]


def render_oncall_now(found: OnCallNow) -> OnCallCurrent:
    return OnCallCurrent(
        teams_on_call=[
            OnCallNowTeam(
                team=NameSlug(name=team.name, slug=team.slug),
                oncall_now=[
                    OnCallNowPolicy(
                        escalation_policy=NameSlug(name=p.name, slug=p.slug),
                        users=[
                            OnCallNowUser(on_call_user=OnCallUserRef(username=u))
                            for u in p.usernames
                        ],
                    )
                    for p in team.policies
                ],
            )
            for team in found.teams
        ]
    )


# --- v2 schedules ---------------------------------------------------------------------------


class UserRef(WireModel):
    username: str


class PolicySummary(WireModel):
    name: str
    slug: str
    self_url: str = Field(alias="_selfUrl")


class OnCallRoll(WireModel):
    start: str
    end: str
    on_call_user: UserRef
    is_roll: bool


class OnCallEntry(WireModel):
    on_call_user: UserRef | None = None
    override_on_call_user: UserRef | None = None
    on_call_type: str
    rotation_name: str | None = None
    shift_name: str | None = None
    shift_roll: str | None = None
    rolls: list[OnCallRoll]


class OnCallOverride(WireModel):
    orig_on_call_user: UserRef
    override_on_call_user: UserRef
    start: str
    end: str


class PolicySchedule(WireModel):
    policy: PolicySummary
    schedule: list[OnCallEntry]
    overrides: list[OnCallOverride]


class TeamSchedule(WireModel):
    team: NameSlug
    schedules: list[PolicySchedule]


class UserSchedule(WireModel):
    team_schedules: list[TeamSchedule]


# --- v1 (deprecated) schedules: epoch milliseconds, lower-case names -------------------------


class V1Roll(WireModel):
    change: int
    until: int
    oncall: str
    is_roll: bool


class V1ScheduleEntry(WireModel):
    oncall: str | None = None
    overrideoncall: str | None = None
    policy_type: str
    rotation_name: str | None = None
    shift_name: str | None = None
    shift_roll: int | None = None
    rolls: list[V1Roll]


class V1Override(WireModel):
    orig: str
    over: str
    start: int
    end: int


class V1TeamSchedule(WireModel):
    team: str
    schedule: list[V1ScheduleEntry]
    overrides: list[V1Override]
