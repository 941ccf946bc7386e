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
- Members advance one per handoff, as Splunk On-Call documents ("Rotations and shifts"):
  - 24/7 shifts hand off every `handoff_days` days at the anchor's local time of day;
  - multi-day shifts hand off weekly (`handoff_days` a multiple of 7): the member of an
    occurrence is the member of the rotation period (anchor + k x handoff_days) in which it
    *starts*, so Friday-to-Monday stays with one person;
  - partial-day shifts offer a weekly or a daily handoff. Weekly (`handoff_days` a multiple
    of 7) works as for multi-day shifts: a Monday-Friday business-hours shift keeps one
    person all week. Daily (any other `handoff_days`, VictorOps allows up to 12) counts
    *shifts*, not calendar days: "the system will hand off every 7 shifts not every 7
    calendar days; days where there are no shifts scheduled will be skipped", so a daily
    Monday-Friday rotation goes Friday → Monday to the next person. (A daily handoff of
    exactly 7 or 14 shifts cannot be told from a weekly one in this model; it reads as weekly.)
  Either way the member depends only on the occurrence, never on the window asked for, so a
  window computed in one piece or in many gives the same answer.
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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from openoncall.timeutil import (
    MASK_DAY_KEYS,
    MINUTES_PER_DAY,
    TimeOfDay,
    get_zone,
    local_to_utc,
    mask_days_from_weekdays,
    naive_local_to_utc,
)

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# How far next_handoff() looks ahead before giving up.
_HANDOFF_HORIZON = timedelta(days=370)


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
    windows: list[WeeklyWindow] = []
    for mask in masks:
        if not mask:
            continue
        if not isinstance(mask, dict):
            raise ValueError("a mask must be an object with `day` and `time`")
        # null is "none"; a wrong type (e.g. a list of days) is an error, not "none".
        days = {} if mask.get("day") is None else mask["day"]
        times = [] if mask.get("time") is None else mask["time"]
        if not isinstance(days, dict) or not isinstance(times, list):
            raise ValueError("mask.day must be an object and mask.time a list")
        unknown = set(days) - set(MASK_DAY_KEYS)
        if unknown:
            raise ValueError(f"unknown mask day key(s): {', '.join(sorted(unknown))}")
        chosen = sorted(MASK_DAY_KEYS[key] for key, on in days.items() if on is True)
        if chosen and not times:
            # A day with no times is the whole day (how VictorOps shows full middle days).
            times = [{"start": {"hour": 0, "minute": 0}, "end": {"hour": 0, "minute": 0}}]
        for item in times:
            start, end = _time_of_day(item, "start"), _time_of_day(item, "end")
            windows.extend(WeeklyWindow(weekday, start, end) for weekday in chosen)
    return tuple(windows)


def _time_of_day(item: Any, key: str) -> TimeOfDay:
    if not isinstance(item, dict) or not isinstance(item.get(key), dict):
        raise ValueError(f"mask.time entries need `{key}` as {{hour, minute}}")
    value = item[key]
    hour, minute = value.get("hour", 0), value.get("minute", 0)
    if isinstance(hour, bool) or isinstance(minute, bool):
        raise ValueError(f"mask time `{key}` must be numbers")
    if not isinstance(hour, int) or not isinstance(minute, int):
        raise ValueError(f"mask time `{key}` must be integers")
    if (hour, minute) == (24, 0):  # 24:00 is an accepted spelling of midnight
        hour = 0
    return TimeOfDay(hour, minute)


def masks_from_windows(windows: Sequence[WeeklyWindow]) -> list[dict[str, Any]]:
    """The inverse of windows_from_masks, grouping weekdays that share the same times."""
    by_times: dict[tuple[TimeOfDay, TimeOfDay], set[int]] = {}
    for window in windows:
        by_times.setdefault((window.start, window.end), set()).add(window.weekday)
    masks: list[dict[str, Any]] = []
    for (start, end), weekdays in by_times.items():
        masks.append(
            {
                "day": mask_days_from_weekdays(frozenset(weekdays)),
                "time": [
                    {
                        "start": {"hour": start.hour, "minute": start.minute},
                        "end": {"hour": end.hour, "minute": end.minute},
                    }
                ],
            }
        )
    return masks


# --- rotation periods ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """What every computation on one shift needs, derived once per rule (cached)."""

    zone: ZoneInfo
    anchor: datetime
    anchor_local: datetime  # naive local wall time of the anchor
    anchor_date: date
    handoff: TimeOfDay
    period: timedelta  # handoff_days as a wall-clock duration
    # Merged weekly coverage in local minutes from Monday 00:00, end exclusive; an interval
    # may end past the week's end (it wraps into the next week). Empty for std shifts.
    coverage: tuple[tuple[int, int], ...]
    full_week: bool
    # Partial-day shifts with a daily handoff count occurrences, not calendar days: member k
    # covers occurrences first_ordinal + k*every … + every-1, numbered from ref_monday's week.
    per_occurrence: bool = False
    every: int = 1
    ref_monday: date = date.min
    first_ordinal: int = 0


@lru_cache(maxsize=4096)
def _context(rule: ShiftRule) -> _Context:
    zone = get_zone(rule.timezone)
    local = rule.anchor.astimezone(zone)
    coverage: tuple[tuple[int, int], ...] = ()
    full_week = rule.kind is ShiftKind.STANDARD
    if rule.kind is not ShiftKind.STANDARD:
        coverage = _merge_weekly(rule.windows)
        full_week = coverage == ((0, MINUTES_PER_WEEK),)
    every = max(1, rule.handoff_days)
    ctx = _Context(
        zone=zone,
        anchor=rule.anchor,
        anchor_local=local.replace(tzinfo=None),
        anchor_date=local.date(),
        handoff=TimeOfDay(local.hour, local.minute),
        period=timedelta(days=every),
        coverage=coverage,
        full_week=full_week,
    )
    if rule.kind is ShiftKind.PARTIAL_DAY and coverage and not full_week and every % 7:
        ref_monday = local.date() - timedelta(days=local.weekday())
        ctx = replace(ctx, per_occurrence=True, every=every, ref_monday=ref_monday)
        ctx = replace(ctx, first_ordinal=_first_ordinal(ctx))
    return ctx


def _week_occurrences(ctx: _Context, monday: date) -> Iterator[tuple[int, datetime, datetime]]:
    """(index in week, UTC start, UTC end) of the week's occurrences, unclipped; an occurrence
    swallowed whole by a DST gap comes out empty (start == end) and still counts."""
    midnight = datetime(monday.year, monday.month, monday.day)  # noqa: DTZ001  (local wall)
    for j, (lo, hi) in enumerate(ctx.coverage):
        yield (
            j,
            naive_local_to_utc(midnight + timedelta(minutes=lo), ctx.zone),
            naive_local_to_utc(midnight + timedelta(minutes=hi), ctx.zone),
        )


def _ordinal(ctx: _Context, monday: date, j: int) -> int:
    return (monday - ctx.ref_monday).days // 7 * len(ctx.coverage) + j


def _first_ordinal(ctx: _Context) -> int:
    """The ordinal of the first occurrence ending after the anchor (it may be cut by it)."""
    monday = ctx.ref_monday - timedelta(days=7)
    while True:  # ends within three weeks: coverage is non-empty, so every week has some
        for j, _start, end in _week_occurrences(ctx, monday):
            if end > ctx.anchor:
                return _ordinal(ctx, monday, j)
        monday += timedelta(days=7)


def _occurrence_k(ctx: _Context, monday: date, j: int, occ_start: datetime) -> int:
    if ctx.per_occurrence:
        return (_ordinal(ctx, monday, j) - ctx.first_ordinal) // ctx.every
    return _period_index(ctx, occ_start)


def _k_at(ctx: _Context, at: datetime) -> int:
    """The rotation index in force at `at` (-1 before the anchor). Per-occurrence shifts hand
    off when the next member's first occurrence starts."""
    if not ctx.per_occurrence:
        return _period_index(ctx, at)
    if at < ctx.anchor:
        return -1
    local = at.astimezone(ctx.zone).date()
    monday = local - timedelta(days=local.weekday())
    for week in (monday, monday - timedelta(days=7)):
        for j, start, end in reversed(list(_week_occurrences(ctx, week))):
            if end > ctx.anchor and max(start, ctx.anchor) <= at:
                return max(0, _occurrence_k(ctx, week, j, start))
    return 0


def _merge_weekly(windows: Sequence[WeeklyWindow]) -> tuple[tuple[int, int], ...]:
    """Weekly windows → disjoint, non-adjacent intervals of local week minutes.

    Adjacent windows merge (Fri 17:00-24:00 + Sat + Sun + Mon 00:00-09:00 is one occurrence,
    Fri 17:00 → Mon 09:00), including across the end of the week (Sun → Mon).
    """
    raw: list[tuple[int, int]] = []
    for window in windows:
        start = window.weekday * MINUTES_PER_DAY + window.start.minutes
        length = (window.end.minutes - window.start.minutes) % MINUTES_PER_DAY
        if length == 0:
            length = MINUTES_PER_DAY
        raw.append((start, start + length))
    if not raw:
        return ()
    raw.sort()
    merged: list[list[int]] = []
    for start, end in raw:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    # Cyclic merge: intervals reaching past Sunday into next week join Monday's ones.
    while len(merged) > 1 and merged[-1][1] >= merged[0][0] + MINUTES_PER_WEEK:
        first = merged.pop(0)
        merged[-1][1] = max(merged[-1][1], first[1] + MINUTES_PER_WEEK)
    if len(merged) == 1 and merged[0][1] - merged[0][0] >= MINUTES_PER_WEEK:
        return ((0, MINUTES_PER_WEEK),)
    return tuple((s, e) for s, e in merged)


def _period_start(ctx: _Context, k: int) -> datetime:
    """The UTC start of rotation period k (k = 0 is the anchor itself)."""
    if k == 0:
        return ctx.anchor
    day = ctx.anchor_date + k * ctx.period
    return local_to_utc(day, ctx.handoff, ctx.zone)


def _period_index(ctx: _Context, at: datetime) -> int:
    """The largest k >= 0 with period_start(k) <= at; -1 before the anchor."""
    if at < ctx.anchor:
        return -1
    local = at.astimezone(ctx.zone).replace(tzinfo=None)
    k = max(0, (local - ctx.anchor_local) // ctx.period)
    # The wall-clock estimate is off by at most one around DST changes; settle it exactly.
    while k > 0 and _period_start(ctx, k) > at:
        k -= 1
    while _period_start(ctx, k + 1) <= at:
        k += 1
    return k


# --- spans ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RawSpan:
    start: datetime
    end: datetime
    k: int  # rotation period index: the member is members[(offset + k) % n]


def _raw_spans(rule: ShiftRule, start: datetime, end: datetime) -> Iterator[_RawSpan]:
    """Unclipped spans of the shift that intersect [start, end), in time order."""
    if not rule.members or end <= start:
        return
    ctx = _context(rule)
    if ctx.full_week:
        yield from _standard_spans(ctx, start, end)
    else:
        yield from _occurrence_spans(ctx, start, end)


def _standard_spans(ctx: _Context, start: datetime, end: datetime) -> Iterator[_RawSpan]:
    k = max(0, _period_index(ctx, start))
    begin = _period_start(ctx, k)
    while begin < end:
        finish = _period_start(ctx, k + 1)
        if finish > start and finish > begin:
            yield _RawSpan(begin, finish, k)
        k += 1
        begin = finish


def _occurrence_spans(ctx: _Context, start: datetime, end: datetime) -> Iterator[_RawSpan]:
    if not ctx.coverage:
        return
    # Local Monday of the week holding `start`, stepped back one week: an occurrence can start
    # up to a week before it ends (a wrapped multi-day interval).
    first_local = start.astimezone(ctx.zone).date()
    monday = first_local - timedelta(days=first_local.weekday() + 7)
    last_local = end.astimezone(ctx.zone).date()
    while monday <= last_local:
        for j, local_start, occ_end in _week_occurrences(ctx, monday):
            if occ_end <= ctx.anchor:
                continue
            # Nothing is covered before the anchor: an occurrence straddling it starts there.
            occ_start = max(local_start, ctx.anchor)
            if occ_end <= occ_start or occ_end <= start or occ_start >= end:
                continue  # empty (swallowed by a DST gap) or outside the window
            yield _RawSpan(occ_start, occ_end, _occurrence_k(ctx, monday, j, occ_start))
        monday += timedelta(days=7)


def _member(rule: ShiftRule, k: int) -> str:
    return rule.members[(rule.member_offset + k) % len(rule.members)]


def shift_spans(rule: ShiftRule, start: datetime, end: datetime) -> list[Span]:
    """The shift's on-call spans intersecting `[start, end)`, clipped to it, in time order.

    One span per (rotation period x covered occurrence); spans never overlap; consecutive
    spans with different users meet exactly at handoffs. A shift with no members has none.
    """
    spans: list[Span] = []
    for raw in _raw_spans(rule, start, end):
        clipped = raw.start < start
        spans.append(
            Span(
                start=start if clipped else raw.start,
                end=min(raw.end, end),
                username=_member(rule, raw.k),
                shift_id=rule.shift_id,
                group_id=rule.group_id,
                is_roll=not clipped,
            )
        )
    return spans


def group_spans(group: GroupRules, start: datetime, end: datetime) -> list[Span]:
    """All shifts' spans in `[start, end)`, sorted by (start, shift_id)."""
    spans = [span for rule in group.shifts for span in shift_spans(rule, start, end)]
    spans.sort(key=lambda s: (s.start, s.shift_id))
    return spans


def _raw_at(rule: ShiftRule, at: datetime) -> _RawSpan | None:
    for raw in _raw_spans(rule, at, at + timedelta(microseconds=1)):
        if raw.start <= at < raw.end:
            return raw
    return None


def oncall_at(group: GroupRules, at: datetime) -> list[Span]:
    """The spans (one per covering shift, in shift order) containing instant `at`, unclipped
    (their real start and end), so `span.end` is when that person's on-call ends there."""
    spans: list[Span] = []
    for rule in group.shifts:
        raw = _raw_at(rule, at)
        if raw is not None:
            spans.append(
                Span(raw.start, raw.end, _member(rule, raw.k), rule.shift_id, rule.group_id)
            )
    return spans


def member_at(rule: ShiftRule, at: datetime) -> str | None:
    """Who the shift's rotation points at during the rotation period containing `at`, whether
    or not the shift covers `at` itself (None before the anchor or with no members)."""
    if not rule.members:
        return None
    k = _k_at(_context(rule), at)
    return None if k < 0 else _member(rule, k)


def adjacent_members(group: GroupRules, at: datetime, step: int) -> list[str]:
    """For `rotation_group_next` (step=+1) / `rotation_group_previous` (step=-1): for each shift
    covering `at`, the member `step` places after/before the one on call now, deduplicated in
    shift order. Shifts with one member give that member."""
    found: list[str] = []
    for rule in group.shifts:
        raw = _raw_at(rule, at)
        if raw is None:
            continue
        user = _member(rule, raw.k + step)
        if user not in found:
            found.append(user)
    return found


@dataclass(frozen=True, slots=True)
class Period:
    """An unclipped on-call period of one shift; `position` indexes `rule.members`."""

    start: datetime
    end: datetime
    username: str
    position: int


def shift_periods(rule: ShiftRule, start: datetime, end: datetime) -> list[Period]:
    """The shift's spans intersecting `[start, end)`, NOT clipped to it (a shift's `periods`,
    `current` and `next` in the rotations API), with each member's position."""
    n = len(rule.members)
    return [
        Period(raw.start, raw.end, _member(rule, raw.k), (rule.member_offset + raw.k) % n)
        for raw in _raw_spans(rule, start, end)
    ]


def _scheduled_k(rule: ShiftRule, at: datetime) -> int:
    """The rotation period that counts as "now": the covering occurrence's (which may have
    started in the previous period), else the period containing `at` (0 before the anchor)."""
    raw = _raw_at(rule, at)
    if raw is not None:
        return raw.k
    return max(0, _k_at(_context(rule), at))


def scheduled_position(rule: ShiftRule, at: datetime) -> int | None:
    """Position (in `rule.members`) of the member scheduled at `at`: on call now if the shift
    covers `at`, else the one whose rotation period it is. None with no members."""
    if not rule.members:
        return None
    return (rule.member_offset + _scheduled_k(rule, at)) % len(rule.members)


def offset_for(rule: ShiftRule, at: datetime, position: int) -> int:
    """The `member_offset` that makes `rule.members[position]` the scheduled member at `at`
    ("set the scheduled user for a shift"); later handoffs continue in order from them."""
    n = len(rule.members)
    if not 0 <= position < n:
        raise ValueError(f"position {position} outside the shift's {n} members")
    return (position - _scheduled_k(rule, at)) % n


def next_handoff(rule: ShiftRule, after: datetime) -> datetime | None:
    """The first instant > `after` at which the shift's on-call person changes or its coverage
    starts/ends (a span boundary); None if there is none within a year."""
    horizon = max(timedelta(days=16), 2 * timedelta(days=max(1, rule.handoff_days)))
    for limit in (horizon, _HANDOFF_HORIZON):
        for raw in _raw_spans(rule, after, after + limit):
            if raw.start > after:
                return raw.start
            if raw.end > after and raw.end <= after + limit:
                return raw.end
    return None


# --- overrides and takes -------------------------------------------------------------------


def policy_spans(
    spans: Sequence[Span | PolicySpan],
    *,
    policy_id: int,
    overrides: Sequence[ScheduledOverrideRule],
    takes: Sequence[TakeRule],
) -> list[PolicySpan]:
    """Apply scheduled overrides (this policy's assignments) then takes (this policy's, in
    order) to rotation spans. Spans are split at override boundaries; the result keeps the
    input order by start."""
    pieces = [_as_policy_span(span) for span in spans]
    for override in overrides:
        assignee = override.assigned_user(policy_id)
        if assignee is None:
            continue  # unassigned: this policy keeps its normal schedule
        pieces = _substitute(
            pieces,
            start=override.start,
            end=override.end,
            matches=lambda p, who=override.username: p.scheduled_username == who,
            user=assignee,
            kind=OverrideKind.SCHEDULED,
            ref=override.public_id,
        )
    for take in takes:
        if take.policy_id != policy_id or take.from_user == take.to_user:
            continue  # another policy's, or taking from yourself: nothing changes
        pieces = _substitute(
            pieces,
            start=take.start,
            end=take.end,
            matches=lambda p, who=take.from_user: p.username == who,
            user=take.to_user,
            kind=OverrideKind.TAKE,
            ref=f"take:{take.take_id}",
        )
    return pieces


def _as_policy_span(span: Span | PolicySpan) -> PolicySpan:
    if isinstance(span, PolicySpan):
        return span
    return PolicySpan(
        start=span.start,
        end=span.end,
        username=span.username,
        scheduled_username=span.username,
        shift_id=span.shift_id,
        group_id=span.group_id,
        is_roll=span.is_roll,
    )


def _substitute(
    pieces: list[PolicySpan],
    *,
    start: datetime,
    end: datetime,
    matches: Any,
    user: str,
    kind: OverrideKind,
    ref: str,
) -> list[PolicySpan]:
    """Replace the user of matching pieces inside [start, end), splitting at its edges."""
    out: list[PolicySpan] = []
    for piece in pieces:
        if piece.end <= start or piece.start >= end or not matches(piece):
            out.append(piece)
            continue
        if piece.start < start:
            out.append(replace(piece, end=start))
        inner_start = max(piece.start, start)
        out.append(
            replace(
                piece,
                start=inner_start,
                end=min(piece.end, end),
                username=user,
                override=kind,
                override_ref=ref,
                # A piece beginning mid-span is not a handoff of the rotation.
                is_roll=piece.is_roll and inner_start == piece.start,
            )
        )
        if piece.end > end:
            out.append(replace(piece, start=end, is_roll=False))
    return out


def override_intervals(spans: Sequence[PolicySpan], policy_id: int) -> list[OverrideInterval]:
    """The overridden stretches of `spans`, merged where contiguous with the same users."""
    found: list[OverrideInterval] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.override is None:
            continue
        last = found[-1] if found else None
        if (
            last is not None
            and last.end == span.start
            and last.original_user == span.scheduled_username
            and last.override_user == span.username
            and last.kind is span.override
        ):
            found[-1] = replace(last, end=span.end)
            continue
        found.append(
            OverrideInterval(
                start=span.start,
                end=span.end,
                original_user=span.scheduled_username,
                override_user=span.username,
                kind=span.override,
                policy_id=policy_id,
            )
        )
    return found


def period_end(spans: Sequence[PolicySpan | Span], username: str, at: datetime) -> datetime | None:
    """End of `username`'s on-call span containing `at` (the next handoff), else None.

    If several spans of the user contain `at` (two shifts), the latest end wins."""
    ends = [s.end for s in spans if s.username == username and s.start <= at < s.end]
    return max(ends) if ends else None
