"""Local wall time → UTC at DST changes: a gap goes to its first valid instant, a repeat to
the first occurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from openoncall.errors import InvalidInput
from openoncall.timeutil import (
    TimeOfDay,
    get_zone,
    local_to_utc,
    mask_days_from_weekdays,
    naive_local_to_utc,
    weekdays_from_mask_days,
)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Ordinary times, both sides of the New York changes.
        ("America/New_York", date(2026, 3, 7), TimeOfDay(9), _utc(2026, 3, 7, 14)),
        ("America/New_York", date(2026, 3, 8), TimeOfDay(9), _utc(2026, 3, 8, 13)),
        ("America/New_York", date(2026, 11, 1), TimeOfDay(9), _utc(2026, 11, 1, 14)),
        # Spring-forward gap 02:00 → 03:00 EDT: every time inside it maps to 03:00 EDT (07:00Z),
        # not zoneinfo's shifted 03:30.
        ("America/New_York", date(2026, 3, 8), TimeOfDay(2, 0), _utc(2026, 3, 8, 7)),
        ("America/New_York", date(2026, 3, 8), TimeOfDay(2, 30), _utc(2026, 3, 8, 7)),
        ("America/New_York", date(2026, 3, 8), TimeOfDay(2, 59), _utc(2026, 3, 8, 7)),
        ("America/New_York", date(2026, 3, 8), TimeOfDay(3, 0), _utc(2026, 3, 8, 7)),
        # Fall-back repeat 01:00-02:00: the first occurrence (EDT, -04:00).
        ("America/New_York", date(2026, 11, 1), TimeOfDay(1, 30), _utc(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2026, 11, 1), TimeOfDay(1, 0), _utc(2026, 11, 1, 5)),
        ("America/New_York", date(2026, 11, 1), TimeOfDay(2, 0), _utc(2026, 11, 1, 7)),
        # London: 01:00 → 02:00 BST on 29 March; 02:00 → 01:00 GMT on 25 October.
        ("Europe/London", date(2026, 3, 29), TimeOfDay(1, 30), _utc(2026, 3, 29, 1)),
        ("Europe/London", date(2026, 10, 25), TimeOfDay(1, 30), _utc(2026, 10, 25, 0, 30)),
        # Lord Howe: a 30-minute change, 02:00 → 02:30 (+11:00) on 4 October 2026.
        ("Australia/Lord_Howe", date(2026, 10, 4), TimeOfDay(2, 15), _utc(2026, 10, 3, 15, 30)),
        # … and back 02:00 → 01:30 (+10:30) on 5 April 2026: 01:45 first at +11:00.
        ("Australia/Lord_Howe", date(2026, 4, 5), TimeOfDay(1, 45), _utc(2026, 4, 4, 14, 45)),
        # Chatham: 02:45 → 03:45 (+13:45) on 27 September 2026.
        ("Pacific/Chatham", date(2026, 9, 27), TimeOfDay(3, 0), _utc(2026, 9, 26, 14)),
        # Kolkata never changes: +05:30 always.
        ("Asia/Kolkata", date(2026, 3, 8), TimeOfDay(9), _utc(2026, 3, 8, 3, 30)),
        ("UTC", date(2026, 3, 8), TimeOfDay(2, 30), _utc(2026, 3, 8, 2, 30)),
    ],
)
def test_local_to_utc(zone: str, day: date, at: TimeOfDay, expected: datetime) -> None:
    assert local_to_utc(day, at, get_zone(zone)) == expected


def test_local_to_utc_accepts_a_time() -> None:
    zone = get_zone("America/New_York")
    assert local_to_utc(date(2026, 3, 8), time(2, 30), zone) == _utc(2026, 3, 8, 7)


def test_naive_local_to_utc_keeps_seconds_and_applies_the_gap_rule() -> None:
    zone = get_zone("America/New_York")
    naive = datetime(2026, 1, 5, 9, 0, 30)  # noqa: DTZ001  (a local wall time)
    assert naive_local_to_utc(naive, zone) == _utc(2026, 1, 5, 14) + timedelta(seconds=30)
    gap = datetime(2026, 3, 8, 2, 30)  # noqa: DTZ001
    assert naive_local_to_utc(gap, zone) == _utc(2026, 3, 8, 7)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", " UTC", "../etc/passwd", "/etc/UTC"])
def test_unknown_zones_name_the_timezone_field(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        get_zone(name)
    assert caught.value.field == "timezone"


def test_time_of_day_bounds_and_text() -> None:
    assert str(TimeOfDay(9, 5)) == "09:05"
    assert TimeOfDay(23, 59).minutes == 1439
    assert TimeOfDay.from_minutes(61) == TimeOfDay(1, 1)
    for hour, minute in [(24, 0), (-1, 0), (0, 60)]:
        with pytest.raises(ValueError, match="invalid time of day"):
            TimeOfDay(hour, minute)


def test_mask_days_round_trip() -> None:
    days = {"su": False, "m": True, "t": True, "w": False, "th": False, "f": True, "sa": False}
    weekdays = weekdays_from_mask_days(days)
    assert weekdays == frozenset({0, 1, 4})
    assert mask_days_from_weekdays(weekdays) == days
