"""Local wall-clock time in IANA zones: times of day, weekdays, and local → UTC with DST rules.

Every schedule in OpenOnCall is defined in local wall-clock time ("hand off at 09:00 in
America/New_York"), so the one conversion that matters is local → UTC, and it must be defined
for the two moments zoneinfo leaves ambiguous:

- a local time inside a spring-forward gap (02:30 on the day clocks jump 02:00 → 03:00) does
  not exist; we use the **first valid instant after the gap** (03:00 local). zoneinfo's default
  would shift by the gap's length instead (02:30 → 03:30), which drifts a handoff by an hour;
- a local time inside a fall-back repeat (01:30 on the day clocks go 02:00 → 01:00) exists
  twice; we use the **first occurrence** (fold=0, i.e. still on summer time).

Pure: no I/O besides the tz database that zoneinfo reads once per zone (cached).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openoncall.errors import InvalidInput

MINUTES_PER_DAY = 24 * 60

# VictorOps mask day keys → Python weekday numbers (Monday = 0).
MASK_DAY_KEYS: dict[str, int] = {"m": 0, "t": 1, "w": 2, "th": 3, "f": 4, "sa": 5, "su": 6}
WEEKDAY_MASK_KEYS: dict[int, str] = {v: k for k, v in MASK_DAY_KEYS.items()}
ALL_WEEKDAYS: frozenset[int] = frozenset(range(7))
WORKDAYS: frozenset[int] = frozenset(range(5))


@dataclass(frozen=True, slots=True, order=True)
class TimeOfDay:
    """A local wall-clock time of day, minute precision (VictorOps masks carry hour+minute)."""

    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"invalid time of day {self.hour:02d}:{self.minute:02d}")

    @property
    def minutes(self) -> int:
        """Minutes since local midnight."""
        return self.hour * 60 + self.minute

    def as_time(self) -> time:
        return time(self.hour, self.minute)

    @classmethod
    def from_minutes(cls, minutes: int) -> TimeOfDay:
        return cls(minutes // 60, minutes % 60)

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def weekdays_from_mask_days(days: dict[str, bool]) -> frozenset[int]:
    """`{"m": true, "t": false, …}` (VictorOps mask.day) → Python weekday numbers."""
    return frozenset(MASK_DAY_KEYS[key] for key, on in days.items() if on and key in MASK_DAY_KEYS)


def mask_days_from_weekdays(weekdays: frozenset[int]) -> dict[str, bool]:
    """Python weekday numbers → the VictorOps mask.day dict, keys in VictorOps order."""
    return {key: MASK_DAY_KEYS[key] in weekdays for key in ("su", "m", "t", "w", "th", "f", "sa")}


@lru_cache(maxsize=512)
def get_zone(name: str) -> ZoneInfo:
    """The zone called `name`; InvalidInput naming `timezone` when there is none.

    Cached: ZoneInfo has its own cache, but the key lookup and validation still cost more than
    a dict hit, and the calculator asks once per shift per call.
    """
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise InvalidInput(f"Unknown time zone: {name!r}", field="timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise InvalidInput(f"Unknown time zone: {name!r}", field="timezone") from exc


def local_to_utc(day: date, at: TimeOfDay | time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local wall time `day at` in `zone`.

    Gap (the local time does not exist): the first valid instant after the gap.
    Repeat (the local time exists twice): the first occurrence (fold=0).
    """
    tod = at if isinstance(at, TimeOfDay) else TimeOfDay(at.hour, at.minute)
    return _local_to_utc(day, tod.hour, tod.minute, zone)


def naive_local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """As local_to_utc for a naive local datetime (minute precision is kept, seconds too)."""
    base = _local_to_utc(local.date(), local.hour, local.minute, zone)
    return base + timedelta(seconds=local.second, microseconds=local.microsecond)


@lru_cache(maxsize=16384)
def _local_to_utc(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    # Naive on purpose: a local wall time, given its zone just below.
    naive = datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001
    first = naive.replace(tzinfo=zone)  # fold=0: the first occurrence of a repeated time
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == naive:
        return utc
    # In a gap: fold=0 reads the local time with the offset before the change, landing after
    # the gap; fold=1 with the offset after it, landing before. The transition (the first
    # valid instant) lies between; find it by bisection on whole seconds (gaps are rare).
    lo = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = utc
    if lo > hi:
        lo, hi = hi, lo
    before = lo.astimezone(zone).utcoffset()
    while (hi - lo) > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def utc_to_local(at: datetime, zone: ZoneInfo) -> datetime:
    """The aware local datetime of UTC instant `at`."""
    return at.astimezone(zone)


def local_date_of(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()
