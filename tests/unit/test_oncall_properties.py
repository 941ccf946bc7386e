"""Hypothesis properties of the on-call calculator, in six zones with odd DST rules.

- spans tile the window where the shift covers time: no gap (24/7) and no overlap (all kinds);
- a window computed in one piece or in many pieces gives the same answer;
- rotation order is respected: each handoff advances one member, in order;
- handoffs happen at the local handoff time, or at the end of the DST gap that swallowed it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openoncall.schedules.oncall import (
    GroupRules,
    PolicySpan,
    ScheduledOverrideRule,
    ShiftKind,
    ShiftRule,
    Span,
    TakeRule,
    WeeklyWindow,
    group_spans,
    member_at,
    oncall_at,
    override_intervals,
    policy_spans,
    shift_spans,
)
from openoncall.timeutil import TimeOfDay, get_zone, local_to_utc

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
# Handoff times clustered around the hours DST changes happen at, plus ordinary ones.
TIMES = st.one_of(
    st.builds(TimeOfDay, st.integers(0, 3), st.sampled_from([0, 15, 30, 45, 59])),
    st.builds(TimeOfDay, st.integers(0, 23), st.integers(0, 59)),
)
# Anchor days in 2025-2027; windows of up to 60 days reach across several DST changes.
DAYS = st.dates(date(2025, 1, 1), date(2027, 6, 1))
MEMBERS = st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=5, unique=True).map(tuple)

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def std_rules(draw: st.DrawFn) -> ShiftRule:
    zone = draw(st.sampled_from(ZONES))
    anchor = local_to_utc(draw(DAYS), draw(TIMES), get_zone(zone))
    members = draw(MEMBERS)
    return ShiftRule(
        shift_id=1,
        group_id=1,
        label="std",
        kind=ShiftKind.STANDARD,
        timezone=zone,
        anchor=anchor,
        handoff_days=draw(st.integers(1, 14)),
        members=members,
        member_offset=draw(st.integers(0, 6)),
    )


@st.composite
def masked_rules(draw: st.DrawFn) -> ShiftRule:
    """Partial-day (weekdays x times) or multi-day (start day/time → end day/time) shifts."""
    zone = draw(st.sampled_from(ZONES))
    kind = draw(st.sampled_from([ShiftKind.PARTIAL_DAY, ShiftKind.MULTI_DAY]))
    if kind is ShiftKind.PARTIAL_DAY:
        days = draw(st.sets(st.integers(0, 6), min_size=1))
        start, end = draw(TIMES), draw(TIMES)
        windows = tuple(WeeklyWindow(day, start, end) for day in sorted(days))
    else:
        first = draw(st.integers(0, 6))
        span_days = draw(st.integers(1, 4))
        start, end = draw(TIMES), draw(TIMES)
        # As VictorOps sends it: first day from `start`, full middle days, last day to `end`.
        windows = (
            WeeklyWindow(first, start, TimeOfDay(0)),
            *(
                WeeklyWindow((first + i) % 7, TimeOfDay(0), TimeOfDay(0))
                for i in range(1, span_days)
            ),
            WeeklyWindow((first + span_days) % 7, TimeOfDay(0), end),
        )
        if end == TimeOfDay(0):
            windows = windows[:-1]
    anchor = local_to_utc(draw(DAYS), draw(TIMES), get_zone(zone))
    return ShiftRule(
        shift_id=2,
        group_id=1,
        label=str(kind),
        kind=kind,
        timezone=zone,
        anchor=anchor,
        # Weekly handoffs for both kinds; partial-day shifts also hand off daily (per shift).
        handoff_days=draw(
            st.sampled_from([7, 14])
            if kind is ShiftKind.MULTI_DAY
            else st.one_of(st.sampled_from([7, 14]), st.integers(1, 12))
        ),
        members=draw(MEMBERS),
        member_offset=draw(st.integers(0, 6)),
        windows=windows,
    )


@st.composite
def windows_around(draw: st.DrawFn, rule: ShiftRule) -> tuple[datetime, datetime]:
    start = rule.anchor + timedelta(minutes=draw(st.integers(-5 * 1440, 120 * 1440)))
    length = timedelta(minutes=draw(st.integers(1, 60 * 1440)))
    return start, start + length


def _check_disjoint_sorted_inside(spans: list[Span], start: datetime, end: datetime) -> None:
    for span in spans:
        assert start <= span.start < span.end <= end
    for before, after in itertools.pairwise(spans):
        assert before.end <= after.start


def _joined(spans: list[Span]) -> list[Span]:
    """Undo cuts made by a window boundary: a non-roll span continuing the previous one."""
    out: list[Span] = []
    for span in spans:
        if out and not span.is_roll and out[-1].end == span.start:
            assert out[-1].username == span.username
            out[-1] = Span(
                out[-1].start,
                span.end,
                span.username,
                span.shift_id,
                span.group_id,
                out[-1].is_roll,
            )
        else:
            out.append(span)
    return out


def _may_vanish(rule: ShiftRule) -> bool:
    if rule.kind is not ShiftKind.PARTIAL_DAY or rule.handoff_days % 7 == 0:
        return False
    lengths = [(w.end.minutes - w.start.minutes) % 1440 or 1440 for w in rule.windows]
    return min(lengths) <= 60  # the longest DST gap of these zones, in minutes


@PROPS
@given(data=st.data(), rule=std_rules())
def test_std_spans_tile_the_window_after_the_anchor(data: st.DataObject, rule: ShiftRule) -> None:
    start, end = data.draw(windows_around(rule))
    spans = shift_spans(rule, start, end)
    covered_from = max(start, rule.anchor)
    if covered_from >= end:
        assert spans == []
        return
    assert spans[0].start == covered_from
    assert spans[-1].end == end
    for before, after in itertools.pairwise(spans):
        assert before.end == after.start  # no gap, no overlap
    # The first span is a roll exactly when a handoff (or the anchor) falls on its start.
    since_anchor = shift_spans(rule, rule.anchor, end)
    assert spans[0].is_roll == any(s.start == spans[0].start for s in since_anchor)


@PROPS
@given(data=st.data(), rule=st.one_of(std_rules(), masked_rules()))
def test_one_piece_equals_many_pieces(data: st.DataObject, rule: ShiftRule) -> None:
    start, end = data.draw(windows_around(rule))
    total = int((end - start).total_seconds())
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, total - 1)), max_size=6))))
    bounds = [start, *(start + timedelta(seconds=c) for c in cuts if 0 < c < total), end]
    whole = shift_spans(rule, start, end)
    _check_disjoint_sorted_inside(whole, start, end)
    pieces: list[Span] = []
    for lo, hi in itertools.pairwise(bounds):
        part = shift_spans(rule, lo, hi)
        _check_disjoint_sorted_inside(part, lo, hi)
        pieces.extend(part)
    assert _joined(pieces) == whole


@PROPS
@given(data=st.data(), rule=st.one_of(std_rules(), masked_rules()))
def test_rotation_order_is_respected(data: st.DataObject, rule: ShiftRule) -> None:
    start, end = data.draw(windows_around(rule))
    spans = shift_spans(rule, start, end)
    n = len(rule.members)
    for span in spans:
        # Every span's person is the one the rotation points at when the span starts (a span
        # cut by the window keeps the person of the period its occurrence started in).
        if span.is_roll:
            assert span.username == member_at(rule, span.start)
    if rule.kind is ShiftKind.STANDARD:
        for before, after in itertools.pairwise(spans):
            i = rule.members.index(before.username)
            assert after.username == rule.members[(i + 1) % n]
    elif not _may_vanish(rule):
        # Occurrences change hands one member at a time, never skipping anyone. (A daily
        # partial-day rotation counts shifts, and a shift of an hour or less can vanish whole
        # in a DST gap while still counting: there a member is skipped, as the shift is.)
        changes = [s.username for s in _joined(spans)]
        for before_user, after_user in itertools.pairwise(changes):
            i = rule.members.index(before_user)
            assert after_user in (before_user, rule.members[(i + 1) % n])


@PROPS
@given(data=st.data(), rule=std_rules())
def test_std_handoffs_happen_at_local_wall_time(data: st.DataObject, rule: ShiftRule) -> None:
    start, end = data.draw(windows_around(rule))
    zone = get_zone(rule.timezone)
    local_anchor = rule.anchor.astimezone(zone)
    handoff = TimeOfDay(local_anchor.hour, local_anchor.minute)
    for span in shift_spans(rule, start, end):
        if span.is_roll and span.start != rule.anchor:
            day = span.start.astimezone(zone).date()
            assert span.start == local_to_utc(day, handoff, zone)
            assert (day - local_anchor.date()).days % rule.handoff_days == 0


@PROPS
@given(data=st.data(), std=std_rules(), masked=masked_rules())
def test_group_is_the_union_and_oncall_at_agrees_with_spans(
    data: st.DataObject, std: ShiftRule, masked: ShiftRule
) -> None:
    group = GroupRules(1, "rtg", "G", 1, (std, masked))
    start, end = data.draw(windows_around(std))
    spans = group_spans(group, start, end)
    assert sorted(spans, key=lambda s: (s.start, s.shift_id)) == spans
    assert sorted(spans, key=repr) == sorted(
        shift_spans(std, start, end) + shift_spans(masked, start, end), key=repr
    )
    at = start + (end - start) * data.draw(st.floats(0, 0.999))
    at = at.replace(microsecond=0)
    if at < start:
        return
    expected = {(s.shift_id, s.username) for s in spans if s.start <= at < s.end}
    assert {(s.shift_id, s.username) for s in oncall_at(group, at)} == expected
    for span in oncall_at(group, at):
        assert span.start <= at < span.end
        assert span.start.tzinfo is not None
        assert span.start.utcoffset() == UTC.utcoffset(None)


@st.composite
def overrides_and_takes(
    draw: st.DrawFn, rule: ShiftRule, start: datetime, end: datetime
) -> tuple[list[ScheduledOverrideRule], list[TakeRule]]:
    length = int((end - start).total_seconds())

    def interval() -> tuple[datetime, datetime]:
        a = start + timedelta(seconds=draw(st.integers(-3600, length)))
        return a, a + timedelta(seconds=draw(st.integers(1, max(2, length))))

    people = [*rule.members, "zed", "yan"]
    overrides = []
    for i in range(draw(st.integers(0, 3))):
        lo, hi = interval()
        assigned = draw(st.sampled_from([*people, None]))
        policy = draw(st.sampled_from([7, 7, 8]))
        covered = draw(st.sampled_from([*rule.members, *people]))  # mostly a member
        overrides.append(
            ScheduledOverrideRule(i, f"ovr-{i}", covered, lo, hi, ((policy, assigned),))
        )
    takes = []
    # Taking from an override's assignee is the interesting case: offer those names first.
    assignees = [user for o in overrides for _, user in o.assignments if user is not None]
    windows = [(o.start, o.end) for o in overrides]
    for i in range(draw(st.integers(0, 3))):
        # Often inside an override's window, so takes meet overridden time.
        inside = bool(windows) and draw(st.booleans())
        lo, hi = draw(st.sampled_from(windows)) if inside else interval()
        takes.append(
            TakeRule(
                i,
                draw(st.sampled_from([7, 7, 8])),
                draw(st.sampled_from([*assignees, *people])),
                draw(st.sampled_from(people)),
                lo,
                hi,
            )
        )
    return overrides, takes


@PROPS
@given(data=st.data(), rule=st.one_of(std_rules(), masked_rules()))
def test_overrides_and_takes_only_relabel_time(data: st.DataObject, rule: ShiftRule) -> None:
    """Policy spans cover exactly the rotation's time; at every boundary instant the person is
    the one the rules give: the override's assignee while it covers the scheduled person,
    then each take in order while it covers whoever is on call."""
    start, end = data.draw(windows_around(rule))
    spans = shift_spans(rule, start, end)
    overrides, takes = data.draw(overrides_and_takes(rule, start, end))
    resolved = policy_spans(spans, policy_id=7, overrides=overrides, takes=takes)
    assert _cover(resolved) == _cover(spans)
    points = sorted(
        {s.start for s in resolved}
        | {o.start for o in overrides}
        | {o.end for o in overrides}
        | {t.start for t in takes}
        | {t.end for t in takes}
    )
    for at in points:
        covering = [s for s in spans if s.start <= at < s.end]
        got = [s for s in resolved if s.start <= at < s.end]
        assert len(got) == len(covering) <= 1
        if not covering:
            continue
        scheduled = covering[0].username
        expected = scheduled
        for o in overrides:
            user = o.assigned_user(7)
            if user is not None and o.username == scheduled and o.start <= at < o.end:
                expected = user
        for t in takes:
            if t.policy_id == 7 and t.from_user == expected and t.start <= at < t.end:
                expected = t.to_user
        assert (got[0].username, got[0].scheduled_username) == (expected, scheduled)
        if got[0].override is None:
            assert expected == scheduled
    # The `overrides` list of a schedule accounts for exactly the overridden time.
    overridden = sum(((s.end - s.start) for s in resolved if s.override), timedelta())
    listed = sum(((i.end - i.start) for i in override_intervals(resolved, 7)), timedelta())
    assert overridden == listed


def _cover(spans: Sequence[Span | PolicySpan]) -> list[tuple[datetime, datetime]]:
    """The covered time as merged intervals."""
    merged: list[tuple[datetime, datetime]] = []
    for s in sorted(spans, key=lambda s: s.start):
        if merged and merged[-1][1] >= s.start:
            merged[-1] = (merged[-1][0], max(merged[-1][1], s.end))
        else:
            merged.append((s.start, s.end))
    return merged
