"""The on-call calculator on concrete cases: DST-weekend handoffs, masks, overrides and takes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from openoncall.schedules.oncall import (
    GroupRules,
    OverrideInterval,
    OverrideKind,
    PolicySpan,
    ScheduledOverrideRule,
    ShiftKind,
    ShiftRule,
    Span,
    TakeRule,
    WeeklyWindow,
    adjacent_members,
    group_spans,
    masks_from_windows,
    member_at,
    next_handoff,
    offset_for,
    oncall_at,
    override_intervals,
    period_end,
    policy_spans,
    scheduled_position,
    shift_periods,
    shift_spans,
    windows_from_masks,
)
from openoncall.timeutil import TimeOfDay, get_zone, local_to_utc


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _local(zone: str, *when: int) -> datetime:
    year, month, day, hour, minute = (*when, 0)[:5]
    return local_to_utc(date(year, month, day), TimeOfDay(hour, minute), get_zone(zone))


def _std(
    zone: str,
    anchor: datetime,
    *,
    members: tuple[str, ...] = ("ann", "bob", "cid"),
    days: int = 7,
    offset: int = 0,
    shift_id: int = 1,
) -> ShiftRule:
    return ShiftRule(
        shift_id=shift_id,
        group_id=10,
        label="24/7",
        kind=ShiftKind.STANDARD,
        timezone=zone,
        anchor=anchor,
        handoff_days=days,
        members=members,
        member_offset=offset,
    )


def _mask(days: dict[str, bool], start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    return {
        "day": days,
        "time": [
            {
                "start": {"hour": start[0], "minute": start[1]},
                "end": {"hour": end[0], "minute": end[1]},
            }
        ],
    }


WEEKDAYS = {"m": True, "t": True, "w": True, "th": True, "f": True, "sa": False, "su": False}


def _bounds(spans: list[Span]) -> list[tuple[datetime, datetime, str]]:
    return [(s.start, s.end, s.username) for s in spans]


def test_weekly_new_york_handoff_at_nine_across_both_dst_sundays() -> None:
    # Anchored Sunday 2026-03-01 09:00 EST; handoffs stay at 09:00 local on 8 March (EDT
    # begins that morning) and on 1 November (EST begins that morning).
    rule = _std("America/New_York", _local("America/New_York", 2026, 3, 1, 9))
    assert rule.anchor == _utc(2026, 3, 1, 14)
    spans = shift_spans(rule, _utc(2026, 3, 1), _utc(2026, 3, 16))
    assert _bounds(spans) == [
        (_utc(2026, 3, 1, 14), _utc(2026, 3, 8, 13), "ann"),  # a 167-hour week
        (_utc(2026, 3, 8, 13), _utc(2026, 3, 15, 13), "bob"),
        (_utc(2026, 3, 15, 13), _utc(2026, 3, 16), "cid"),
    ]
    assert [s.is_roll for s in spans] == [True, True, True]
    autumn = shift_spans(rule, _utc(2026, 10, 25), _utc(2026, 11, 9))
    # 34 weeks after the anchor: 34 % 3 == 1 → bob from 25 October 09:00 EDT.
    assert _bounds(autumn) == [
        (_utc(2026, 10, 25), _utc(2026, 10, 25, 13), "ann"),
        (_utc(2026, 10, 25, 13), _utc(2026, 11, 1, 14), "bob"),  # a 169-hour week
        (_utc(2026, 11, 1, 14), _utc(2026, 11, 8, 14), "cid"),
        (_utc(2026, 11, 8, 14), _utc(2026, 11, 9), "ann"),
    ]
    assert [s.is_roll for s in autumn] == [False, True, True, True]


def test_daily_handoff_inside_the_spring_forward_gap_moves_to_three() -> None:
    rule = _std("America/New_York", _local("America/New_York", 2026, 3, 6, 2, 30), days=1)
    spans = shift_spans(rule, _utc(2026, 3, 6, 7, 30), _utc(2026, 3, 10))
    assert _bounds(spans) == [
        (_utc(2026, 3, 6, 7, 30), _utc(2026, 3, 7, 7, 30), "ann"),
        (_utc(2026, 3, 7, 7, 30), _utc(2026, 3, 8, 7), "bob"),  # 02:30 EST → 03:00 EDT
        (_utc(2026, 3, 8, 7), _utc(2026, 3, 9, 6, 30), "cid"),  # 03:00 EDT → 02:30 EDT
        (_utc(2026, 3, 9, 6, 30), _utc(2026, 3, 10), "ann"),
    ]


def test_daily_handoff_inside_the_fall_back_repeat_uses_the_first_occurrence() -> None:
    rule = _std("America/New_York", _local("America/New_York", 2026, 10, 30, 1, 30), days=1)
    spans = shift_spans(rule, _utc(2026, 10, 31), _utc(2026, 11, 3))
    assert _bounds(spans) == [
        (_utc(2026, 10, 31), _utc(2026, 10, 31, 5, 30), "ann"),
        (_utc(2026, 10, 31, 5, 30), _utc(2026, 11, 1, 5, 30), "bob"),  # until 01:30 EDT
        (_utc(2026, 11, 1, 5, 30), _utc(2026, 11, 2, 6, 30), "cid"),  # 25 hours
        (_utc(2026, 11, 2, 6, 30), _utc(2026, 11, 3), "ann"),
    ]


@pytest.mark.parametrize(
    ("zone", "anchor", "window_start", "expected_handoffs"),
    [
        # Lord Howe, 30-minute change on 4 October: a daily 02:15 handoff goes to 02:30 +11.
        (
            "Australia/Lord_Howe",
            ("Australia/Lord_Howe", 2026, 10, 1, 2, 15),
            _utc(2026, 10, 1),
            [
                _utc(2026, 10, 1, 15, 45),  # 2 October 02:15 +10:30
                _utc(2026, 10, 2, 15, 45),
                _utc(2026, 10, 3, 15, 30),  # 4 October 02:30 +11:00 (02:15 does not exist)
                _utc(2026, 10, 4, 15, 15),  # 5 October 02:15 +11:00
            ],
        ),
        # Chatham: 02:45 → 03:45 on 27 September; a 03:00 handoff becomes 03:45 +13:45.
        (
            "Pacific/Chatham",
            ("Pacific/Chatham", 2026, 9, 24, 3, 0),
            _utc(2026, 9, 24),
            [
                _utc(2026, 9, 24, 14, 15),  # 25 September 03:00 +12:45
                _utc(2026, 9, 25, 14, 15),
                _utc(2026, 9, 26, 14, 0),  # 27 September 03:45 +13:45
                _utc(2026, 9, 27, 13, 15),  # 28 September 03:00 +13:45
            ],
        ),
        # Kolkata has no DST: 09:00 is 03:30Z every day.
        (
            "Asia/Kolkata",
            ("Asia/Kolkata", 2026, 3, 6, 9, 0),
            _utc(2026, 3, 6, 4),
            [_utc(2026, 3, 7, 3, 30), _utc(2026, 3, 8, 3, 30), _utc(2026, 3, 9, 3, 30)],
        ),
    ],
)
def test_daily_handoffs_in_odd_zones(
    zone: str,
    anchor: tuple[str, int, int, int, int, int],
    window_start: datetime,
    expected_handoffs: list[datetime],
) -> None:
    rule = _std(zone, _local(*anchor), days=1)
    spans = shift_spans(rule, window_start, expected_handoffs[-1] + timedelta(hours=1))
    assert [s.start for s in spans if s.is_roll] == expected_handoffs


def test_partial_day_weekday_business_hours_in_london_hand_off_weekly() -> None:
    # Mon-Fri 09:00-17:00 London, weekly handoff anchored Monday 16 March 09:00 GMT.
    windows = windows_from_masks([_mask(WEEKDAYS, (9, 0), (17, 0))])
    rule = ShiftRule(
        shift_id=2,
        group_id=10,
        label="office",
        kind=ShiftKind.PARTIAL_DAY,
        timezone="Europe/London",
        anchor=_utc(2026, 3, 16, 9),
        handoff_days=7,
        members=("lea", "max"),
        windows=windows,
    )
    spans = shift_spans(rule, _utc(2026, 3, 26), _utc(2026, 4, 1))
    assert _bounds(spans) == [
        (_utc(2026, 3, 26, 9), _utc(2026, 3, 26, 17), "max"),  # Thursday, GMT
        (_utc(2026, 3, 27, 9), _utc(2026, 3, 27, 17), "max"),
        # BST from Sunday 29 March: 09:00 local is 08:00Z; third week → lea again.
        (_utc(2026, 3, 30, 8), _utc(2026, 3, 30, 16), "lea"),
        (_utc(2026, 3, 31, 8), _utc(2026, 3, 31, 16), "lea"),
    ]
    # Before the anchor nothing is covered; between occurrences nobody is on call.
    assert shift_spans(rule, _utc(2026, 3, 2), _utc(2026, 3, 14)) == []
    group = GroupRules(10, "rtg-x", "Office", 1, (rule,))
    assert oncall_at(group, _utc(2026, 3, 30, 20)) == []
    assert member_at(rule, _utc(2026, 3, 30, 20)) == "lea"
    assert next_handoff(rule, _utc(2026, 3, 27, 17)) == _utc(2026, 3, 30, 8)
    assert next_handoff(rule, _utc(2026, 3, 27, 12)) == _utc(2026, 3, 27, 17)


def test_multi_day_friday_evening_to_monday_morning() -> None:
    # VictorOps shape: mask = first day, mask2 = middle days, mask3 = last day.
    windows = windows_from_masks(
        [
            _mask({"f": True}, (17, 0), (0, 0)),
            _mask({"sa": True, "su": True}, (0, 0), (0, 0)),
            _mask({"m": True}, (0, 0), (9, 0)),
        ]
    )
    rule = ShiftRule(
        shift_id=3,
        group_id=10,
        label="weekend",
        kind=ShiftKind.MULTI_DAY,
        timezone="Europe/London",
        anchor=_utc(2026, 3, 20, 17),
        handoff_days=7,
        members=("xia", "yan"),
        windows=windows,
    )
    spans = shift_spans(rule, _utc(2026, 3, 1), _utc(2026, 4, 8))
    assert _bounds(spans) == [
        (_utc(2026, 3, 20, 17), _utc(2026, 3, 23, 9), "xia"),
        (_utc(2026, 3, 27, 17), _utc(2026, 3, 30, 8), "yan"),  # Monday 09:00 BST
        (_utc(2026, 4, 3, 16), _utc(2026, 4, 6, 8), "xia"),
    ]
    group = GroupRules(10, "rtg-x", "Weekend", 1, (rule,))
    assert oncall_at(group, _utc(2026, 3, 29, 12)) == [
        Span(_utc(2026, 3, 27, 17), _utc(2026, 3, 30, 8), "yan", 3, 10, True)
    ]


def test_overnight_window_and_week_wrap_merge() -> None:
    # Sunday 22:00 → Monday 06:00 is one occurrence even though it crosses the week's end.
    windows = (WeeklyWindow(6, TimeOfDay(22), TimeOfDay(6)),)
    rule = ShiftRule(
        shift_id=4,
        group_id=10,
        label="night",
        kind=ShiftKind.PARTIAL_DAY,
        timezone="UTC",
        anchor=_utc(2026, 1, 4, 22),
        handoff_days=7,
        members=("a", "b"),
        windows=windows,
    )
    assert _bounds(shift_spans(rule, _utc(2026, 1, 1), _utc(2026, 1, 19))) == [
        (_utc(2026, 1, 4, 22), _utc(2026, 1, 5, 6), "a"),
        (_utc(2026, 1, 11, 22), _utc(2026, 1, 12, 6), "b"),
        (_utc(2026, 1, 18, 22), _utc(2026, 1, 19), "a"),
    ]


def test_member_offset_and_empty_rotation() -> None:
    rule = _std("UTC", _utc(2026, 1, 5, 9), offset=2)
    assert member_at(rule, _utc(2026, 1, 5, 9)) == "cid"
    assert member_at(rule, _utc(2026, 1, 12, 9)) == "ann"
    assert member_at(rule, _utc(2026, 1, 5, 8)) is None
    empty = _std("UTC", _utc(2026, 1, 5, 9), members=())
    assert shift_spans(empty, _utc(2026, 1, 1), _utc(2026, 2, 1)) == []
    assert member_at(empty, _utc(2026, 1, 10)) is None


def test_group_is_the_union_of_its_shifts_and_next_previous_follow_each_rotation() -> None:
    weekly = _std("UTC", _utc(2026, 1, 5, 9), shift_id=1)
    office = ShiftRule(
        shift_id=2,
        group_id=10,
        label="office",
        kind=ShiftKind.PARTIAL_DAY,
        timezone="UTC",
        anchor=_utc(2026, 1, 5, 9),
        handoff_days=7,
        members=("dee", "eve"),
        windows=windows_from_masks([_mask(WEEKDAYS, (9, 0), (17, 0))]),
    )
    group = GroupRules(10, "rtg-x", "Ops", 1, (weekly, office))
    at = _utc(2026, 1, 13, 12)  # Tuesday of the second week
    assert [s.username for s in oncall_at(group, at)] == ["bob", "eve"]
    assert adjacent_members(group, at, +1) == ["cid", "dee"]
    assert adjacent_members(group, at, -1) == ["ann", "dee"]
    assert adjacent_members(group, _utc(2026, 1, 13, 20), +1) == ["cid"]
    spans = group_spans(group, _utc(2026, 1, 12), _utc(2026, 1, 13))
    assert [(s.start, s.username, s.shift_id) for s in spans] == [
        (_utc(2026, 1, 12), "ann", 1),
        (_utc(2026, 1, 12, 9), "bob", 1),
        (_utc(2026, 1, 12, 9), "eve", 2),
    ]
    assert next_handoff(weekly, _utc(2026, 1, 12, 9)) == _utc(2026, 1, 19, 9)
    assert next_handoff(weekly, _utc(2026, 1, 1)) == _utc(2026, 1, 5, 9)


def test_masks_parse_validate_and_round_trip() -> None:
    windows = windows_from_masks([_mask(WEEKDAYS, (9, 0), (17, 30)), None])
    assert len(windows) == 5
    assert masks_from_windows(windows) == [_mask({"su": False, **WEEKDAYS}, (9, 0), (17, 30))]
    assert windows_from_masks([_mask({"m": True}, (0, 0), (24, 0))]) == (
        WeeklyWindow(0, TimeOfDay(0), TimeOfDay(0)),
    )
    bads: list[dict[str, Any]] = [
        {"day": {"xx": True}, "time": []},
        {"day": {"m": True}, "time": [{"start": {"hour": 25, "minute": 0}, "end": {}}]},
        {"day": {"m": True}, "time": [{"start": {"hour": "9"}, "end": {"hour": 1}}]},
        {"day": {"m": True}, "time": [{"end": {"hour": 1}}]},
        {"day": [], "time": []},
    ]
    for bad in bads:
        with pytest.raises(ValueError, match=r"."):
            windows_from_masks([bad])


# --- overrides and takes ---------------------------------------------------------------


def _span(start: datetime, end: datetime, user: str, roll: bool = True) -> Span:
    return Span(start, end, user, 1, 10, roll)


def test_scheduled_override_hands_only_assigned_policies_and_only_the_covered_user() -> None:
    spans = [
        _span(_utc(2026, 1, 5), _utc(2026, 1, 12), "ann"),
        _span(_utc(2026, 1, 12), _utc(2026, 1, 19), "bob"),
    ]
    override = ScheduledOverrideRule(
        override_id=1,
        public_id="ovr-1",
        username="ann",
        start=_utc(2026, 1, 10),
        end=_utc(2026, 1, 14),
        assignments=((100, "zed"), (200, None)),
    )
    assigned = policy_spans(spans, policy_id=100, overrides=[override], takes=[])
    assert assigned == [
        PolicySpan(_utc(2026, 1, 5), _utc(2026, 1, 10), "ann", "ann", 1, 10, True),
        PolicySpan(
            _utc(2026, 1, 10),
            _utc(2026, 1, 12),
            "zed",
            "ann",
            1,
            10,
            False,
            OverrideKind.SCHEDULED,
            "ovr-1",
        ),
        # bob is not covered by ann's override.
        PolicySpan(_utc(2026, 1, 12), _utc(2026, 1, 19), "bob", "bob", 1, 10, True),
    ]
    assert override_intervals(assigned, 100) == [
        OverrideInterval(
            _utc(2026, 1, 10), _utc(2026, 1, 12), "ann", "zed", OverrideKind.SCHEDULED, 100
        )
    ]
    # Policy 200's assignment has no user, policy 300 none at all: both keep the schedule.
    for policy_id in (200, 300):
        unchanged = policy_spans(spans, policy_id=policy_id, overrides=[override], takes=[])
        assert [(s.username, s.override) for s in unchanged] == [("ann", None), ("bob", None)]
        assert override_intervals(unchanged, policy_id) == []


def test_take_replaces_whoever_is_on_call_then_ends_at_the_handoff() -> None:
    spans = [
        _span(_utc(2026, 1, 5), _utc(2026, 1, 12), "ann"),
        _span(_utc(2026, 1, 12), _utc(2026, 1, 19), "bob"),
    ]
    override = ScheduledOverrideRule(
        1, "ovr-1", "ann", _utc(2026, 1, 6), _utc(2026, 1, 8), ((7, "zed"),)
    )
    now = _utc(2026, 1, 7)
    before = policy_spans(spans, policy_id=7, overrides=[override], takes=[])
    # zed is on call now through the override, until it ends.
    assert period_end(before, "zed", now) == _utc(2026, 1, 8)
    assert period_end(before, "ann", now) is None
    take = TakeRule(1, 7, "zed", "kim", now, _utc(2026, 1, 8))
    other_policy = TakeRule(2, 8, "ann", "kim", now, _utc(2026, 1, 12))
    noop = TakeRule(3, 7, "kim", "kim", now, _utc(2026, 1, 8))
    after = policy_spans(spans, policy_id=7, overrides=[override], takes=[take, other_policy, noop])
    assert [(s.start, s.end, s.username, s.scheduled_username, s.override) for s in after] == [
        (_utc(2026, 1, 5), _utc(2026, 1, 6), "ann", "ann", None),
        (_utc(2026, 1, 6), now, "zed", "ann", OverrideKind.SCHEDULED),
        (now, _utc(2026, 1, 8), "kim", "ann", OverrideKind.TAKE),
        (_utc(2026, 1, 8), _utc(2026, 1, 12), "ann", "ann", None),
        (_utc(2026, 1, 12), _utc(2026, 1, 19), "bob", "bob", None),
    ]
    assert [
        (i.start, i.end, i.original_user, i.override_user) for i in override_intervals(after, 7)
    ] == [
        (_utc(2026, 1, 6), now, "ann", "zed"),
        (now, _utc(2026, 1, 8), "ann", "kim"),
    ]


def test_override_intervals_merge_across_a_handoff_with_the_same_people() -> None:
    spans = [
        _span(_utc(2026, 1, 5), _utc(2026, 1, 6), "ann"),
        _span(_utc(2026, 1, 6), _utc(2026, 1, 7), "ann"),
    ]
    take = TakeRule(1, 7, "ann", "kim", _utc(2026, 1, 5, 12), _utc(2026, 1, 6, 12))
    after = policy_spans(spans, policy_id=7, overrides=[], takes=[take])
    assert override_intervals(after, 7) == [
        OverrideInterval(
            _utc(2026, 1, 5, 12), _utc(2026, 1, 6, 12), "ann", "kim", OverrideKind.TAKE, 7
        )
    ]


def test_set_the_scheduled_member_by_offset_keeps_the_order_afterwards() -> None:
    rule = _std("UTC", _utc(2026, 1, 5, 9))
    now = _utc(2026, 1, 20)  # third week: cid is scheduled
    assert scheduled_position(rule, now) == 2
    moved = replace(rule, member_offset=offset_for(rule, now, 0))
    assert member_at(moved, now) == "ann"
    assert member_at(moved, _utc(2026, 1, 26, 9)) == "bob"  # the next handoff continues
    assert [p.username for p in shift_periods(moved, now, _utc(2026, 2, 3))] == [
        "ann",
        "bob",
        "cid",
    ]
    assert shift_periods(moved, now, _utc(2026, 1, 21))[0].start == _utc(2026, 1, 19, 9)
    with pytest.raises(ValueError, match="position"):
        offset_for(rule, now, 3)


def test_scheduled_member_of_a_partial_shift_between_occurrences() -> None:
    rule = ShiftRule(
        shift_id=2,
        group_id=10,
        label="office",
        kind=ShiftKind.PARTIAL_DAY,
        timezone="UTC",
        anchor=_utc(2026, 1, 5, 9),
        handoff_days=7,
        members=("dee", "eve"),
        windows=windows_from_masks([_mask(WEEKDAYS, (9, 0), (17, 0))]),
    )
    # Sunday evening of week 1 (dee's week), nobody covering: the scheduled one is dee.
    assert scheduled_position(rule, _utc(2026, 1, 11, 20)) == 0
    moved = replace(rule, member_offset=offset_for(rule, _utc(2026, 1, 11, 20), 1))
    assert [p.username for p in shift_periods(moved, _utc(2026, 1, 11), _utc(2026, 1, 14))] == [
        "dee",  # Monday and Tuesday of week 2: after eve comes dee
        "dee",
    ]
    assert scheduled_position(replace(rule, members=()), _utc(2026, 1, 11)) is None


def test_partial_day_daily_handoff_counts_shifts_not_calendar_days() -> None:
    # Monday-Friday 09:00-17:00 in New York, handing off every shift, then every 3 shifts:
    # weekends have no shifts, so they are skipped, not counted (Splunk On-Call's rule).
    windows = windows_from_masks([_mask(WEEKDAYS, (9, 0), (17, 0))])
    anchor = _local("America/New_York", 2026, 3, 5, 9)  # Thursday

    def rule(days: int) -> ShiftRule:
        return ShiftRule(
            shift_id=5,
            group_id=10,
            label="office",
            kind=ShiftKind.PARTIAL_DAY,
            timezone="America/New_York",
            anchor=anchor,
            handoff_days=days,
            members=("ann", "bob", "cid"),
            windows=windows,
        )

    daily = shift_spans(rule(1), _utc(2026, 3, 1), _utc(2026, 3, 12))
    assert _bounds(daily) == [
        (_utc(2026, 3, 5, 14), _utc(2026, 3, 5, 22), "ann"),  # Thursday, EST
        (_utc(2026, 3, 6, 14), _utc(2026, 3, 6, 22), "bob"),  # Friday
        (_utc(2026, 3, 9, 13), _utc(2026, 3, 9, 21), "cid"),  # Monday, EDT since Sunday
        (_utc(2026, 3, 10, 13), _utc(2026, 3, 10, 21), "ann"),
        (_utc(2026, 3, 11, 13), _utc(2026, 3, 11, 21), "bob"),
    ]
    every3 = shift_spans(rule(3), _utc(2026, 3, 1), _utc(2026, 3, 19))
    assert [s.username for s in every3] == ["ann"] * 3 + ["bob"] * 3 + ["cid"] * 3 + ["ann"]
    # Saturday: nobody covers; the member in force is Friday's, the next one is Monday's.
    group = GroupRules(10, "rtg-x", "Office", 1, (rule(1),))
    saturday = _utc(2026, 3, 7, 15)
    assert oncall_at(group, saturday) == []
    assert member_at(rule(1), saturday) == "bob"
    assert scheduled_position(rule(1), saturday) == 1
    moved = replace(rule(1), member_offset=offset_for(rule(1), saturday, 0))
    assert [s.username for s in shift_spans(moved, saturday, _utc(2026, 3, 11))] == [
        "bob",  # Monday: the rotation continues after ann
        "cid",
    ]
    assert next_handoff(rule(1), saturday) == _utc(2026, 3, 9, 13)
