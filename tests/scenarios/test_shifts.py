"""Partial-day and multi-day shifts: a rotation pages only the shifts that cover the moment
of the alert, in the shift's time zone.

Splunk On-Call, "Rotations and shifts"
(https://help.splunk.com/splunk-observability-cloud/splunk-on-call/introduction-to-splunk-on-call/rotations-and-shifts):
three shift types, 24/7, Partial Day and Multi-day; a partial-day shift has days, start and
end times and a weekly or daily handoff ("the system will hand off every 7 shifts not every
7 calendar days. Days where there are no shifts scheduled, will be skipped"); a multi-day
shift hands off weekly. "Schedule examples"
(https://docs.splunk.com/observability/en/sp-oncall/on-call-schedules/schedule-examples.html):
nights and weekends as one rotation of a partial-day weeknight shift and a multi-day weekend
shift. Masks as in the rotations API (NOTES.md (b)): `mask` the first day, `mask2` the
middle days, `mask3` the last day of a multi-day shift.

Everyone keeps the default personal paging policy: one email at once.
"""

from __future__ import annotations

from tests.scenarios.handoff_steps import local, paged_at
from tests.scenarios.story import Story, days, every_day, rotation, step, user

WEEKDAYS = ["m", "t", "w", "th", "f"]
LONDON = "Europe/London"
NY = "America/New_York"


def _route(story: Story, team: str, *entries: dict[str, object]) -> None:
    story.routing_key("ops", [story.policy(team, "Ops", [step(0, *entries)])])


def _weekend_and_weekdays(story: Story, weekend: list[str], weekdays: list[str]) -> str:
    """One rotation: a Friday 17:00 to Monday 09:00 shift and a Monday 09:00 to Friday
    17:00 shift, in London, both handing off weekly from Friday 2026-01-09."""
    team = story.team("Ops", sorted({*weekend, *weekdays}))
    weekend_shift = {
        "label": "Weekend",
        "timezone": LONDON,
        "shifttype": "cstm",
        "start": "2026-01-09T17:00",
        "duration": 7,
        "usernames": weekend,
        "mask": days(["f"], (17, 0), (0, 0)),
        "mask2": days(["sa", "su"], (0, 0), (0, 0)),
        "mask3": days(["m"], (0, 0), (9, 0)),
    }
    weekday_shift = {
        **weekend_shift,
        "label": "Weekdays",
        "start": "2026-01-05T09:00",
        "usernames": weekdays,
        "mask": days(["m"], (9, 0), (0, 0)),
        "mask2": days(["t", "w", "th"], (0, 0), (0, 0)),
        "mask3": days(["f"], (0, 0), (17, 0)),
    }
    group = story.rotation(team, "Cover", [], shifts=[weekend_shift, weekday_shift])
    _route(story, team, rotation(group))
    return team


def test_a_business_hours_shift_pages_only_inside_its_hours(story: Story) -> None:
    alice, carol = story.user("alice"), story.user("carol")
    team = story.team("Ops", [alice, carol])
    hours = days(WEEKDAYS, (9, 0), (17, 0))
    business = story.rotation(
        team,
        "Business",
        [alice],
        start="2026-01-05T09:00",
        timezone=NY,
        shifttype="pho",
        mask=hours,
    )
    _route(story, team, rotation(business), user(carol))

    assert paged_at(story, local(NY, "2026-01-06T10:00")) == [
        (0, "alice", "email"),
        (0, "carol", "email"),
    ]
    assert paged_at(story, local(NY, "2026-01-06T17:00")) == [(0, "carol", "email")]
    assert paged_at(story, local(NY, "2026-01-10T12:00")) == [(0, "carol", "email")]


def test_day_and_night_shifts_in_one_rotation_hand_over_at_nine_and_five(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Ops", [alice, bob])
    day = {"label": "Day", "timezone": LONDON, "shifttype": "pho", "duration": 7}
    shifts = [
        {
            **day,
            "start": "2026-01-05T09:00",
            "usernames": [alice],
            "mask": every_day((9, 0), (17, 0)),
        },
        {
            **day,
            "label": "Night",
            "start": "2026-01-05T17:00",
            "usernames": [bob],
            "mask": every_day((17, 0), (9, 0)),
        },
    ]
    _route(story, team, rotation(story.rotation(team, "Around the clock", [], shifts=shifts)))

    assert paged_at(story, local(LONDON, "2026-01-06T16:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-01-06T17:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(LONDON, "2026-01-07T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(LONDON, "2026-01-07T09:00")) == [(0, "alice", "email")]


def test_a_weekend_shift_covers_friday_evening_to_monday_morning(story: Story) -> None:
    alice, carol = story.user("alice"), story.user("carol")
    _weekend_and_weekdays(story, weekend=[alice], weekdays=[carol])

    assert paged_at(story, local(LONDON, "2026-01-09T16:59")) == [(0, "carol", "email")]
    assert paged_at(story, local(LONDON, "2026-01-09T17:00")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-01-11T12:00")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-01-12T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-01-12T09:00")) == [(0, "carol", "email")]


def test_the_weekend_shift_hands_off_weekly_and_keeps_one_person_all_weekend(
    story: Story,
) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    _weekend_and_weekdays(story, weekend=[alice, bob], weekdays=[carol])

    assert paged_at(story, local(LONDON, "2026-01-10T12:00")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-01-16T17:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(LONDON, "2026-01-18T12:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(LONDON, "2026-01-19T08:59")) == [(0, "bob", "email")]


def test_the_weekend_shift_ends_at_nine_local_after_the_spring_change(story: Story) -> None:
    story.start_at(local(LONDON, "2026-03-20T12:00"))  # clocks go forward on Sunday 29 March
    alice, carol = story.user("alice"), story.user("carol")
    _weekend_and_weekdays(story, weekend=[alice], weekdays=[carol])

    assert paged_at(story, local(LONDON, "2026-03-27T17:00")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-03-30T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(LONDON, "2026-03-30T09:00")) == [(0, "carol", "email")]


def test_a_daily_partial_day_handoff_skips_the_weekend(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    team = story.team("Ops", [alice, bob, carol])
    hours = days(WEEKDAYS, (9, 0), (17, 0))
    business = story.rotation(
        team,
        "Business",
        [alice, bob, carol],
        start="2026-01-05T09:00",
        days=1,
        shifttype="pho",
        mask=hours,
    )
    _route(story, team, rotation(business))

    # Monday alice, Tuesday bob, Wednesday carol, Thursday alice, Friday bob; no weekend shifts.
    assert paged_at(story, local("UTC", "2026-01-09T10:00")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-12T10:00")) == [(0, "carol", "email")]


def test_business_hours_follow_the_local_clock_across_the_spring_change(story: Story) -> None:
    story.start_at(local(NY, "2026-03-06T12:00"))  # clocks go forward on Sunday 8 March
    alice, carol = story.user("alice"), story.user("carol")
    team = story.team("Ops", [alice, carol])
    business = story.rotation(
        team,
        "Business",
        [alice],
        start="2026-03-02T09:00",
        timezone=NY,
        shifttype="pho",
        mask=days(WEEKDAYS, (9, 0), (17, 0)),
    )
    _route(story, team, rotation(business), user(carol))

    assert paged_at(story, local(NY, "2026-03-09T08:59")) == [(0, "carol", "email")]
    assert paged_at(story, local(NY, "2026-03-09T09:00")) == [
        (0, "alice", "email"),
        (0, "carol", "email"),
    ]
    assert paged_at(story, local(NY, "2026-03-09T17:00")) == [(0, "carol", "email")]


def test_a_night_shift_lasts_until_six_on_the_clock_on_the_autumn_night(story: Story) -> None:
    story.start_at(local(NY, "2026-10-30T12:00"))  # clocks go back on Sunday 1 November
    alice, carol = story.user("alice"), story.user("carol")
    team = story.team("Ops", [alice, carol])
    night = story.rotation(
        team,
        "Night",
        [alice],
        start="2026-10-26T22:00",
        timezone=NY,
        shifttype="pho",
        mask=every_day((22, 0), (6, 0)),
    )
    _route(story, team, rotation(night), user(carol))

    assert paged_at(story, local(NY, "2026-11-01T01:30", fold=1)) == [
        (0, "alice", "email"),
        (0, "carol", "email"),
    ]
    assert paged_at(story, local(NY, "2026-11-01T05:59")) == [
        (0, "alice", "email"),
        (0, "carol", "email"),
    ]
    assert paged_at(story, local(NY, "2026-11-01T06:00")) == [(0, "carol", "email")]
