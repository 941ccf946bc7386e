"""Scheduled overrides and Take On-Call: who is paged while someone stands in, and after.

Splunk On-Call, "View your schedule and schedule overrides from the mobile app"
(https://help.splunk.com/splunk-observability-cloud/splunk-on-call/mobile-app/schedule-and-scheduled-overrides-from-the-mobile-app)
and "Manage schedules on Splunk On-Call for mobile": an override is created for a time zone,
a start and an end; it is assigned per escalation policy ("who is covering your override and
for what escalation policy"); an unassigned override has "not yet been covered". The Swagger
(2020-06): POST /api-public/v1/overrides, PUT …/assignments/{policySlug}, DELETE
/api-public/v1/overrides/{publicId}; PATCH /api-public/v1/policies/{policy}/oncall/user
"replace the currently on-call fromUser with toUser" (NOTES.md (b) Overrides), and the
deprecated team form. "Manual Take On-Call"
(https://docs.splunk.com/observability/en/sp-oncall/incidents/manual-take-call.html): a take
swaps who is on call in real time, for "part or all of a shift".

Unsure (we chose these readings): an unassigned override pages the scheduled user (nobody has
covered it, and the vendor documents no other fallback); a take lasts until the end of the
current on-call period of the user it was taken from (the next handoff of their shift), then
the rotation goes on as scheduled.

Everyone keeps the default personal paging policy: one email at once.
"""

from __future__ import annotations

from tests.scenarios.handoff_steps import local, paged_at
from tests.scenarios.override_steps import (
    assign,
    delete_override,
    override,
    take_team,
    unassign,
)
from tests.scenarios.story import Story, days, rotation, step, user

NY = "America/New_York"


def _daily(story: Story, members: list[str], *, key: str = "ops", timezone: str = "UTC") -> str:
    """A team whose rotation hands off every day at 09:00 from Monday 2026-01-05 and a
    policy paging it for routing key `key`; returns the policy's slug."""
    team = story.team("Ops", [*members, "bob"])
    primary = story.rotation(
        team, "Primary", members, start="2026-01-05T09:00", timezone=timezone, days=1
    )
    policy = story.policy(team, "Ops", [step(0, rotation(primary))])
    story.routing_key(key, [policy])
    return policy


def test_an_assigned_override_pages_the_stand_in_only_during_it(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    policy = _daily(story, [alice])
    leave = override(story, alice, "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z")
    assign(story, leave, policy, bob)

    assert paged_at(story, local("UTC", "2026-01-06T08:59")) == [(0, "alice", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-07T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-07T09:00")) == [(0, "alice", "email")]


def test_an_unassigned_override_keeps_the_normal_schedule(story: Story) -> None:
    alice, _bob = story.user("alice"), story.user("bob")
    _daily(story, [alice])
    override(story, alice, "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z")

    assert paged_at(story, local("UTC", "2026-01-06T12:00")) == [(0, "alice", "email")]


def test_an_override_given_in_tokyo_time(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    policy = _daily(story, [alice])
    # 09:00-18:00 in Tokyo (UTC+9) is 00:00-09:00 UTC.
    trip = override(story, alice, "2026-01-06T09:00", "2026-01-06T18:00", timezone="Asia/Tokyo")
    assign(story, trip, policy, bob)

    assert paged_at(story, local("UTC", "2026-01-05T23:59")) == [(0, "alice", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T00:00")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [(0, "alice", "email")]


def test_deleting_an_override_gives_the_shift_back_at_once(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    policy = _daily(story, [alice])
    leave = override(story, alice, "2026-01-06T09:00:00Z", "2026-01-09T09:00:00Z")
    assign(story, leave, policy, bob)

    assert paged_at(story, local("UTC", "2026-01-06T12:00")) == [(0, "bob", "email")]
    delete_override(story, leave)
    assert paged_at(story, local("UTC", "2026-01-06T12:01")) == [(0, "alice", "email")]
    assert paged_at(story, local("UTC", "2026-01-08T12:00")) == [(0, "alice", "email")]


def test_an_override_assigned_on_one_policy_leaves_the_other_with_alice(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    ops = _daily(story, [alice])
    team = story.teams[0]
    database = story.rotation(team, "Database", [alice], start="2026-01-05T09:00", days=1)
    story.routing_key("db", [story.policy(team, "Database", [step(0, rotation(database))])])
    leave = override(story, alice, "2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z")
    assign(story, leave, ops, bob)

    assert paged_at(story, local("UTC", "2026-01-06T12:00"), "ops") == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T12:00"), "db") == [(0, "alice", "email")]


def test_a_take_lasts_until_the_end_of_alices_shift(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    policy = _daily(story, [alice, carol])  # Monday alice, Tuesday carol, Wednesday alice

    story.take(policy, alice, bob)  # Monday 12:00
    assert paged_at(story, local("UTC", "2026-01-05T12:30")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [(0, "carol", "email")]
    assert paged_at(story, local("UTC", "2026-01-07T09:00")) == [(0, "alice", "email")]


def test_a_team_take_covers_every_policy_of_the_team_until_the_handoff(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    _daily(story, [alice, carol])
    team = story.teams[0]
    database = story.rotation(team, "Database", [alice, carol], start="2026-01-05T09:00", days=1)
    story.routing_key("db", [story.policy(team, "Database", [step(0, rotation(database))])])

    take_team(story, team, alice, bob)
    assert paged_at(story, local("UTC", "2026-01-05T13:00"), "ops") == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-05T13:00"), "db") == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00"), "ops") == [(0, "carol", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00"), "db") == [(0, "carol", "email")]


def test_a_take_of_a_weekly_shift_expires_at_nine_local_after_the_spring_change(
    story: Story,
) -> None:
    story.start_at(local(NY, "2026-03-06T12:00"))  # Friday; clocks go forward on Sunday
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    team = story.team("Ops", [alice, bob, carol])
    weekly = story.rotation(team, "Primary", [alice, carol], start="2026-03-02T09:00", timezone=NY)
    policy = story.policy(team, "Ops", [step(0, rotation(weekly))])
    story.routing_key("ops", [policy])

    story.take(policy, alice, bob)
    assert paged_at(story, local(NY, "2026-03-08T12:00")) == [(0, "bob", "email")]
    assert paged_at(story, local(NY, "2026-03-09T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(NY, "2026-03-09T09:00")) == [(0, "carol", "email")]


def test_an_override_covers_alice_only_not_whoever_is_on_call_after_her(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    policy = _daily(story, [alice, carol])  # Monday alice, Tuesday carol
    leave = override(story, alice, "2026-01-05T13:00:00Z", "2026-01-07T09:00:00Z")
    assign(story, leave, policy, bob)

    assert paged_at(story, local("UTC", "2026-01-06T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [(0, "carol", "email")]


def test_an_override_made_in_advance_covers_alices_next_shift(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    policy = _daily(story, [carol, alice])  # Monday carol, Tuesday alice, Wednesday carol
    leave = override(story, alice, "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z")
    assign(story, leave, policy, bob)

    assert paged_at(story, local("UTC", "2026-01-06T08:59")) == [(0, "carol", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-07T00:00")) == [(0, "alice", "email")]


def test_taking_from_the_override_stand_in_lasts_until_the_override_ends(story: Story) -> None:
    alice, bob, dave = story.user("alice"), story.user("bob"), story.user("dave")
    policy = _daily(story, [alice])
    story._ok(
        story.api.post(f"/api-public/v1/team/{story.teams[0]}/members", json={"username": dave})
    )
    leave = override(story, alice, "2026-01-05T12:00:00Z", "2026-01-05T18:00:00Z")
    assign(story, leave, policy, bob)

    story.take(policy, bob, dave)  # Monday 12:00, bob stands in for alice until 18:00
    assert paged_at(story, local("UTC", "2026-01-05T17:59")) == [(0, "dave", "email")]
    assert paged_at(story, local("UTC", "2026-01-05T18:00")) == [(0, "alice", "email")]


def test_a_take_of_a_business_hours_shift_ends_at_five(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Ops", [alice, bob])
    business = story.rotation(
        team,
        "Business",
        [alice],
        start="2026-01-05T09:00",
        shifttype="pho",
        mask=days(["m", "t", "w", "th", "f"], (9, 0), (17, 0)),
    )
    policy = story.policy(team, "Ops", [step(0, rotation(business), user(bob))])
    story.routing_key("ops", [policy])

    story.take(policy, alice, bob)  # Monday 12:00
    assert paged_at(story, local("UTC", "2026-01-05T16:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [
        (0, "alice", "email"),
        (0, "bob", "email"),
    ]


def test_a_take_of_the_weekend_shift_ends_on_monday_morning(story: Story) -> None:
    story.start_at(local("UTC", "2026-01-10T12:00"))  # Saturday
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    team = story.team("Ops", [alice, bob, carol])
    weekend = story.rotation(
        team,
        "Weekend",
        [alice, carol],
        start="2026-01-09T17:00",
        shifttype="cstm",
        mask=days(["f"], (17, 0), (0, 0)),
        mask2=days(["sa", "su"], (0, 0), (0, 0)),
        mask3=days(["m"], (0, 0), (9, 0)),
    )
    policy = story.policy(team, "Ops", [step(0, rotation(weekend), user(bob))])
    story.routing_key("ops", [policy])

    story.take(policy, alice, bob)
    assert paged_at(story, local("UTC", "2026-01-12T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-16T17:00")) == [
        (0, "bob", "email"),
        (0, "carol", "email"),
    ]


def test_removing_the_assignment_gives_the_policy_back_to_alice(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    policy = _daily(story, [alice])
    leave = override(story, alice, "2026-01-05T12:00:00Z", "2026-01-08T12:00:00Z")
    assign(story, leave, policy, bob)

    assert paged_at(story, local("UTC", "2026-01-06T12:00")) == [(0, "bob", "email")]
    unassign(story, leave, policy)
    assert paged_at(story, local("UTC", "2026-01-06T12:01")) == [(0, "alice", "email")]


def test_an_override_in_london_time_ends_at_nine_on_the_clock_after_the_change(
    story: Story,
) -> None:
    london = "Europe/London"  # 2026-03-29 01:00 GMT -> 02:00 BST
    story.start_at(local(london, "2026-03-28T12:00"))
    alice, bob = story.user("alice"), story.user("bob")
    policy = _daily(story, [alice])
    night = override(story, alice, "2026-03-28T22:00", "2026-03-29T09:00", timezone=london)
    assign(story, night, policy, bob)

    assert paged_at(story, local(london, "2026-03-28T21:59")) == [(0, "alice", "email")]
    assert paged_at(story, local(london, "2026-03-29T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local(london, "2026-03-29T09:00")) == [(0, "alice", "email")]


def test_a_take_ends_at_the_next_handoff_even_when_alice_is_on_again(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    policy = _daily(story, [alice])  # alice alone, handing off to herself at 09:00 daily

    story.take(policy, alice, bob)  # Monday 12:00
    assert paged_at(story, local("UTC", "2026-01-06T08:59")) == [(0, "bob", "email")]
    assert paged_at(story, local("UTC", "2026-01-06T09:00")) == [(0, "alice", "email")]
