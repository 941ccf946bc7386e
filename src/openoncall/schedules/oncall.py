"""The pure on-call calculator: who is on call, when, from rotation rules, overrides and takes.

No I/O: inputs are frozen dataclasses built by `openoncall.schedules.service` from the tables,
outputs are frozen dataclasses the API, engine, UI and iCal feed turn into their shapes.
All instants are aware UTC datetimes; windows are half-open `[start, end)`.

Model (VictorOps rotations):
- A **rotation group** belongs to a team and is the union of its **shifts**; at one instant
  each shift has at most one person on call, so a group has as many as it has covering shifts.
- A **shift** has an IANA time zone, members in order, an anchor instant (`anchor`, the first
  handoff; its local time of day is the handoff time) and `handoff_days` (7 = weekly):
  - `std` (24/7): always covered; handoffs every `handoff_days` local days at the anchor's
    local time of day;
  - `pho` (partial day): covered on chosen weekdays between two local times;
  - `cstm` (multi-day): covered from a weekday/time to a later weekday/time, e.g. Friday 17:00
    to Monday 09:00 (VictorOps expresses it as up to three masks: first day, middle days, last
    day; contiguous windows merge into one occurrence).
- Members advance one per handoff. A handoff happens every `handoff_days` days of local wall
  time from the anchor. For `pho`/`cstm` the member of an occurrence is the member of the
  rotation period in which the occurrence *starts*: that is how VictorOps' "handoff happens
  every N days/weeks" behaves for partial and multi-day shifts (a weekly business-hours shift
  keeps one person Monday-Friday, then hands off), and it keeps a window's answer independent
  of where the window is cut.
- Nothing is covered before the anchor: a rotation starts at its first handoff.
- Handoffs are at local wall-clock time across DST (see `openoncall.timeutil.local_to_utc`:
  gap → first valid instant after it, repeat → first occurrence).

On top of rotation spans, per escalation policy:
- a **scheduled override** covers one user's on-call for `[start, end)` across all their
  policies; its assignment for a policy hands that policy to a chosen user; an unassigned
  policy (no assignment, or assignment without a user) keeps its normal schedule;
- a **take** (Take On-Call) replaces `from_user` by `to_user` on one policy for
  `[start, end)`. Takes apply after scheduled overrides (you take from whoever is on call
  now, which may already be an override user) and in the order given (oldest first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from openoncall.timeutil import TimeOfDay


class ShiftKind(StrEnum):
    """The VictorOps `shifttype` codes (`fts` is accepted as an alias of `std` on input)."""

    STANDARD = "std"
    PARTIAL_DAY = "pho"
    MULTI_DAY = "cstm"


class OverrideKind(StrEnum):
    SCHEDULED = "override"  # a scheduled override's assignment
    TAKE = "take"  # Take On-Call


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """Covered local time: on `weekday` (Monday = 0) from `start` to `end`.

    `end <= start` means the window ends on the next day at `end` (00:00 = midnight, so
    `start == end == 00:00` is the whole day).
    """

    weekday: int
    start: TimeOfDay
    end: TimeOfDay


@dataclass(frozen=True, slots=True)
class ShiftRule:
    """One rotation shift, from a rotation_shift row and its members in position order."""

    shift_id: int
    group_id: int
    label: str
    kind: ShiftKind
    timezone: str
    anchor: datetime
    handoff_days: int
    members: tuple[str, ...]
    member_offset: int = 0
    # Partial-day and multi-day shifts only (empty for std): covered local windows.
    windows: tuple[WeeklyWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupRules:
    """A rotation group and its shifts."""

    group_id: int
    slug: str
    label: str
    team_id: int
    shifts: tuple[ShiftRule, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """`username` is on call for `shift_id` during `[start, end)`.

    `is_roll` is true when `start` is a real handoff/occurrence start, false when the span was
    cut at the window's start (so the person was already on call before the window).
    """

    start: datetime
    end: datetime
    username: str
    shift_id: int
    group_id: int
    is_roll: bool = True


@dataclass(frozen=True, slots=True)
class ScheduledOverrideRule:
    """A scheduled override: `username`'s on-call is covered during `[start, end)`.

    `assignments` maps policy ids to the user who takes that policy (None: not assigned, the
    policy keeps its normal schedule).
    """

    override_id: int
    public_id: str
    username: str
    start: datetime
    end: datetime
    assignments: tuple[tuple[int, str | None], ...] = ()

    def assigned_user(self, policy_id: int) -> str | None:
        for pid, user in self.assignments:
            if pid == policy_id:
                return user
        return None


@dataclass(frozen=True, slots=True)
class TakeRule:
    """Take On-Call: `to_user` replaces `from_user` on `policy_id` during `[start, end)`."""

    take_id: int
    policy_id: int
    from_user: str
    to_user: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class PolicySpan:
    """A span after overrides and takes for one policy.

    `username` is who is finally on call; `scheduled_username` who the rotation says (they
    differ only when `override` is set). `group_id`/`shift_id` are None for a policy entry that
    names a user directly.
    """

    start: datetime
    end: datetime
    username: str
    scheduled_username: str
    shift_id: int | None
    group_id: int | None
    is_roll: bool
    override: OverrideKind | None = None
    override_ref: str | None = None  # the scheduled override's public id, or "take:<id>"


@dataclass(frozen=True, slots=True)
class OverrideInterval:
    """For schedule `overrides` lists: `override_user` stands in for `original_user`."""

    start: datetime
    end: datetime
    original_user: str
    override_user: str
    kind: OverrideKind
    policy_id: int


def windows_from_masks(masks: Iterable[dict[str, Any] | None]) -> tuple[WeeklyWindow, ...]:
    """VictorOps masks (`{day:{su,m,t,w,th,f,sa}, time:[{start:{hour,minute},end:{…}}]}`) →
    weekly windows; raises ValueError on a malformed mask (callers name the field)."""
    raise NotImplementedError


def masks_from_windows(windows: Sequence[WeeklyWindow]) -> list[dict[str, Any]]:
    """The inverse of windows_from_masks, grouping weekdays that share the same times."""
    raise NotImplementedError


def shift_spans(rule: ShiftRule, start: datetime, end: datetime) -> list[Span]:
    """The shift's on-call spans intersecting `[start, end)`, clipped to it, in time order.

    One span per (rotation period x covered occurrence); spans never overlap; consecutive
    spans with different users meet exactly at handoffs. A shift with no members has none.
    """
    raise NotImplementedError


def group_spans(group: GroupRules, start: datetime, end: datetime) -> list[Span]:
    """All shifts' spans in `[start, end)`, sorted by (start, shift_id)."""
    raise NotImplementedError


def oncall_at(group: GroupRules, at: datetime) -> list[Span]:
    """The spans (one per covering shift, in shift order) containing instant `at`, unclipped
    (their real start and end), so `span.end` is when that person's on-call ends there."""
    raise NotImplementedError


def member_at(rule: ShiftRule, at: datetime) -> str | None:
    """Who the shift's rotation points at during the rotation period containing `at`, whether
    or not the shift covers `at` itself (None before the anchor or with no members)."""
    raise NotImplementedError


def adjacent_members(group: GroupRules, at: datetime, step: int) -> list[str]:
    """For `rotation_group_next` (step=+1) / `rotation_group_previous` (step=-1): for each shift
    covering `at`, the member `step` places after/before the one on call now, deduplicated in
    shift order. Shifts with one member give that member."""
    raise NotImplementedError


def next_handoff(rule: ShiftRule, after: datetime) -> datetime | None:
    """The first instant > `after` at which the shift's on-call person changes or its coverage
    starts/ends (a span boundary); None if there is none within a year."""
    raise NotImplementedError


def policy_spans(
    spans: Sequence[Span],
    *,
    policy_id: int,
    overrides: Sequence[ScheduledOverrideRule],
    takes: Sequence[TakeRule],
) -> list[PolicySpan]:
    """Apply scheduled overrides (this policy's assignments) then takes (this policy's, in
    order) to rotation spans. Spans are split at override boundaries; the result keeps the
    input order by start."""
    raise NotImplementedError


def override_intervals(spans: Sequence[PolicySpan], policy_id: int) -> list[OverrideInterval]:
    """The overridden stretches of `spans`, merged where contiguous with the same users."""
    raise NotImplementedError


def period_end(spans: Sequence[PolicySpan | Span], username: str, at: datetime) -> datetime | None:
    """End of `username`'s on-call span containing `at` (the next handoff), else None.

    If several spans of the user contain `at` (two shifts), the latest end wins."""
    raise NotImplementedError
