"""Handoffs across daylight-saving changes: a shift hands off at a local wall time in its
own time zone, so a 09:00 handoff stays at 09:00 on the clock on the wall after the change.

Splunk On-Call, "Rotations and shifts"
(https://help.splunk.com/splunk-observability-cloud/splunk-on-call/introduction-to-splunk-on-call/rotations-and-shifts):
a shift has a time zone, start and end times and "when the next handoff should occur"; a
24/7 shift hands off on a daily cadence. The times are those of the shift's zone.

Not documented by the vendor (we chose OpenOnCall's documented reading, `openoncall.timeutil`):
a handoff time that does not exist on the day of the spring change (inside the gap) happens
at the first instant after the gap; one that occurs twice on the autumn change happens at its
first occurrence, once.

Everyone keeps the default personal paging policy: one email at once.
"""

from __future__ import annotations

from tests.scenarios.handoff_steps import local, paged_at
from tests.scenarios.story import Story, rotation, step


def _daily(story: Story, zone: str, first_handoff: str, *, days: int = 1) -> None:
    """alice, then bob, then alice…: one handoff every `days` days at the local time of
    `first_handoff` in `zone`; routing key "ops" pages whoever is on call."""
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Ops", [alice, bob])
    primary = story.rotation(
        team, "Primary", [alice, bob], start=first_handoff, timezone=zone, days=days
    )
    story.routing_key("ops", [story.policy(team, "Ops", [step(0, rotation(primary))])])


def test_new_york_spring_forward_keeps_the_nine_oclock_handoff(story: Story) -> None:
    ny = "America/New_York"  # 2026-03-08 02:00 EST -> 03:00 EDT
    story.start_at(local(ny, "2026-03-07T10:00"))
    _daily(story, ny, "2026-03-07T09:00")

    assert paged_at(story, local(ny, "2026-03-08T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(ny, "2026-03-08T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-03-09T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-03-09T09:00")) == [(0, "alice", "email")]


def test_new_york_fall_back_keeps_the_nine_oclock_handoff(story: Story) -> None:
    ny = "America/New_York"  # 2026-11-01 02:00 EDT -> 01:00 EST
    story.start_at(local(ny, "2026-10-31T10:00"))
    _daily(story, ny, "2026-10-31T09:00")

    assert paged_at(story, local(ny, "2026-11-01T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(ny, "2026-11-01T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-11-02T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-11-02T09:00")) == [(0, "alice", "email")]


def test_a_half_past_two_handoff_in_the_spring_gap_happens_when_the_gap_ends(
    story: Story,
) -> None:
    ny = "America/New_York"  # on 2026-03-08 the clock never shows 02:30
    story.start_at(local(ny, "2026-03-07T10:00"))
    _daily(story, ny, "2026-03-07T02:30")

    assert paged_at(story, local(ny, "2026-03-08T01:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(ny, "2026-03-08T03:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-03-09T02:29")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-03-09T02:30")) == [(0, "alice", "email")]


def test_a_half_past_one_handoff_on_the_repeated_hour_happens_once(story: Story) -> None:
    ny = "America/New_York"  # on 2026-11-01 the clock shows 01:00-02:00 twice
    story.start_at(local(ny, "2026-10-31T10:00"))
    _daily(story, ny, "2026-10-31T01:30")

    assert paged_at(story, local(ny, "2026-11-01T01:29")) == [(0, "alice", "email")]
    assert paged_at(story, local(ny, "2026-11-01T01:30")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-11-01T01:30", fold=1)) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-11-02T01:29")) == [(0, "bob", "email")]
    assert paged_at(story, local(ny, "2026-11-02T01:30")) == [(0, "alice", "email")]


def test_a_weekly_monday_handoff_after_the_spring_change(story: Story) -> None:
    ny = "America/New_York"
    story.start_at(local(ny, "2026-03-02T10:00"))
    _daily(story, ny, "2026-03-02T09:00", days=7)

    assert paged_at(story, local(ny, "2026-03-09T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(ny, "2026-03-09T09:00")) == [(0, "bob", "email")]


def test_london_spring_forward_keeps_the_nine_oclock_handoff(story: Story) -> None:
    london = "Europe/London"  # 2026-03-29 01:00 GMT -> 02:00 BST
    story.start_at(local(london, "2026-03-28T10:00"))
    _daily(story, london, "2026-03-28T09:00")

    assert paged_at(story, local(london, "2026-03-29T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(london, "2026-03-29T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(london, "2026-03-30T09:00")) == [(0, "alice", "email")]


def test_london_fall_back_a_handoff_on_the_repeated_hour(story: Story) -> None:
    london = "Europe/London"  # 2026-10-25 02:00 BST -> 01:00 GMT: 01:00-02:00 twice
    story.start_at(local(london, "2026-10-24T10:00"))
    _daily(story, london, "2026-10-24T01:30")

    assert paged_at(story, local(london, "2026-10-25T01:29")) == [(0, "alice", "email")]
    assert paged_at(story, local(london, "2026-10-25T01:30")) == [(0, "bob", "email")]
    assert paged_at(story, local(london, "2026-10-25T01:30", fold=1)) == [(0, "bob", "email")]
    assert paged_at(story, local(london, "2026-10-26T01:30")) == [(0, "alice", "email")]


def test_sydney_autumn_change_keeps_the_nine_oclock_handoff(story: Story) -> None:
    sydney = "Australia/Sydney"  # 2026-04-05 03:00 AEDT -> 02:00 AEST
    story.start_at(local(sydney, "2026-04-04T10:00"))
    _daily(story, sydney, "2026-04-04T09:00")

    assert paged_at(story, local(sydney, "2026-04-05T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(sydney, "2026-04-05T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(sydney, "2026-04-06T09:00")) == [(0, "alice", "email")]


def test_sydney_spring_gap_handoff_happens_at_three(story: Story) -> None:
    sydney = "Australia/Sydney"  # 2026-10-04 02:00 AEST -> 03:00 AEDT
    story.start_at(local(sydney, "2026-10-03T10:00"))
    _daily(story, sydney, "2026-10-03T02:30")

    assert paged_at(story, local(sydney, "2026-10-04T01:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(sydney, "2026-10-04T03:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(sydney, "2026-10-05T02:30")) == [(0, "alice", "email")]


def test_lord_howe_half_hour_autumn_change_keeps_the_nine_oclock_handoff(story: Story) -> None:
    howe = "Australia/Lord_Howe"  # 2026-04-05 02:00 (+11) -> 01:30 (+10:30)
    story.start_at(local(howe, "2026-04-04T10:00"))
    _daily(story, howe, "2026-04-04T09:00")

    assert paged_at(story, local(howe, "2026-04-05T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(howe, "2026-04-05T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(howe, "2026-04-06T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(howe, "2026-04-06T09:00")) == [(0, "alice", "email")]


def test_lord_howe_handoff_in_the_half_hour_spring_gap(story: Story) -> None:
    howe = "Australia/Lord_Howe"  # 2026-10-04 02:00 (+10:30) -> 02:30 (+11)
    story.start_at(local(howe, "2026-10-03T10:00"))
    _daily(story, howe, "2026-10-03T02:15")

    assert paged_at(story, local(howe, "2026-10-04T01:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(howe, "2026-10-04T02:30")) == [(0, "bob", "email")]
    assert paged_at(story, local(howe, "2026-10-05T02:14")) == [(0, "bob", "email")]
    assert paged_at(story, local(howe, "2026-10-05T02:15")) == [(0, "alice", "email")]


def test_chatham_spring_change_keeps_the_nine_oclock_handoff(story: Story) -> None:
    chatham = "Pacific/Chatham"  # 2026-09-27 02:45 (+12:45) -> 03:45 (+13:45)
    story.start_at(local(chatham, "2026-09-26T10:00"))
    _daily(story, chatham, "2026-09-26T09:00")

    assert paged_at(story, local(chatham, "2026-09-27T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(chatham, "2026-09-27T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(chatham, "2026-09-28T09:00")) == [(0, "alice", "email")]


def test_chatham_autumn_repeated_hour_handoff_happens_once(story: Story) -> None:
    chatham = "Pacific/Chatham"  # 2026-04-05 03:45 (+13:45) -> 02:45 (+12:45)
    story.start_at(local(chatham, "2026-04-04T10:00"))
    _daily(story, chatham, "2026-04-04T03:00")

    assert paged_at(story, local(chatham, "2026-04-05T02:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(chatham, "2026-04-05T03:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(chatham, "2026-04-05T03:00", fold=1)) == [(0, "bob", "email")]
    assert paged_at(story, local(chatham, "2026-04-06T03:00")) == [(0, "alice", "email")]


def test_chatham_handoff_in_the_spring_gap_happens_at_a_quarter_to_four(story: Story) -> None:
    chatham = "Pacific/Chatham"  # on 2026-09-27 the clock jumps from 02:45 to 03:45
    story.start_at(local(chatham, "2026-09-26T10:00"))
    _daily(story, chatham, "2026-09-26T03:00")

    assert paged_at(story, local(chatham, "2026-09-27T02:44")) == [(0, "alice", "email")]
    assert paged_at(story, local(chatham, "2026-09-27T03:45")) == [(0, "bob", "email")]
    assert paged_at(story, local(chatham, "2026-09-28T02:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(chatham, "2026-09-28T03:00")) == [(0, "alice", "email")]
