"""Every kind of escalation entry, paged as the vendor documents it.

Splunk On-Call knowledge base, "Configure Team Escalation Policy"
(help.victorops.com/knowledge-base/team-escalation-policy/), "Available Escalation Actions":
- rotation_group, "Notify the on-duty users in rotation": the currently on-duty user(s);
- rotation_group_next, "Notify the next user in current on-duty shift": "the user(s)
  scheduled to be next up within the current on-duty shift";
- rotation_group_previous, "Notify the previous user within the current on-duty shift": "the
  user(s) that were on-duty previously within the current on-duty shift (or are currently in
  the schedule position to be the previous user)";
- user, "Notify user": "regardless of time of day";
- email, "Send an email to email address": an address, not a user (no personal policy);
- webhook, "Execute webhook";
- policy_routing, "Execute Policy": invokes another policy, whose step 1 delay counts "from
  when the escalation policy is called out via another escalation policy" ("Set up an
  escalation policy"; the "Waiting Room" tip in "Multiple escalation policies best practices").

Who is on call, next or previous is taken at the moment the step runs. People here read
email and repeat it hourly (`hourly`), so each page shows once in an hour's story.
"""

from __future__ import annotations

from tests.scenarios.paging_steps import hourly
from tests.scenarios.story import (
    Story,
    email,
    next_in,
    policy_routing,
    previous_in,
    rotation,
    step,
    user,
    webhook,
)

# A weekly rotation begun a week before T0 (Monday 12:00 UTC): alice had last week, bob has
# this week (since 09:00), carol has the next.
LAST_MONDAY = "2025-12-29T09:00"
# A daily rotation handing off at 12:10: alice until minute 10 of the story, then bob.
HANDOFF_AT_MINUTE_10 = "2026-01-04T12:10"


def _team(story: Story, start: str, days: int = 7) -> tuple[str, str]:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    hourly(story, alice, bob, carol)
    team = story.team("Database", [alice, bob, carol])
    return team, story.rotation(team, "Primary", [alice, bob, carol], start=start, days=days)


def test_rotation_group_pages_whoever_is_on_duty(story: Story) -> None:
    team, primary = _team(story, LAST_MONDAY)
    story.routing_key("db", [story.policy(team, "Database", [step(0, rotation(primary))])])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "bob", "email")]


def test_rotation_group_next_pages_who_is_next_up(story: Story) -> None:
    team, primary = _team(story, LAST_MONDAY)
    story.routing_key("db", [story.policy(team, "Database", [step(0, next_in(primary))])])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "carol", "email")]


def test_rotation_group_previous_pages_who_was_on_duty_before(story: Story) -> None:
    team, primary = _team(story, LAST_MONDAY)
    story.routing_key("db", [story.policy(team, "Database", [step(0, previous_in(primary))])])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "alice", "email")]


def test_previous_wraps_round_to_the_last_position_in_the_first_shift(story: Story) -> None:
    # Nobody was on duty before the rotation began: the previous position is the last one.
    team, primary = _team(story, "2026-01-05T09:00")
    story.routing_key("db", [story.policy(team, "Database", [step(0, previous_in(primary))])])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "carol", "email")]


def test_the_on_duty_user_is_the_one_at_the_moment_the_step_runs(story: Story) -> None:
    team, primary = _team(story, HANDOFF_AT_MINUTE_10, days=1)
    steps = [step(0, email("dba@example.com")), step(15, rotation(primary))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")  # alice is on duty now, bob from minute 10
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "dba@example.com", "email"), (15, "bob", "email")]


def test_next_and_previous_are_taken_at_the_moment_the_step_runs(story: Story) -> None:
    team, primary = _team(story, HANDOFF_AT_MINUTE_10, days=1)
    steps = [step(0, next_in(primary)), step(15, next_in(primary), previous_in(primary))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(minutes=59)
    # At 0 alice is on duty, bob next; at 15 bob is on duty: carol next, alice previous.
    assert story.new_pages() == [
        (0, "bob", "email"),
        (15, "carol", "email"),
        (15, "alice", "email"),
    ]


def test_a_user_entry_pages_that_user_whoever_is_on_call(story: Story) -> None:
    team, primary = _team(story, LAST_MONDAY)
    manager = story.user("maria")
    hourly(story, manager)
    steps = [step(0, rotation(primary)), step(10, user(manager))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "bob", "email"), (10, "maria", "email")]


def test_an_email_entry_mails_the_address_once_and_never_repeats(story: Story) -> None:
    team = story.team("Database")
    steps = [step(0, email("dba-list@example.com"))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(hours=6)
    assert story.new_pages() == [(0, "dba-list@example.com", "email")]


def test_an_email_entry_is_an_address_not_the_user_who_owns_it(story: Story) -> None:
    # alice's own policy would text her after 5 minutes; an email entry is only an email.
    alice = story.user("alice", phone="+15550001111")
    team = story.team("Database", [alice])
    story.routing_key("db", [story.policy(team, "Database", [step(0, email("alice@example.com"))])])

    story.alert("db")
    story.advance(hours=1)
    assert story.new_pages() == [(0, "alice", "email")]


def test_a_webhook_entry_calls_the_webhook_when_its_step_runs(story: Story) -> None:
    team, primary = _team(story, LAST_MONDAY)
    hook = story.webhook("statuspage")
    steps = [step(0, rotation(primary)), step(20, webhook(hook))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "bob", "email"), (20, "statuspage", "webhook")]


def test_policy_routing_runs_the_other_policy_from_its_first_step(story: Story) -> None:
    team, primary = _team(story, LAST_MONDAY)
    managers = story.policy(
        team, "Managers", [step(0, email("lead@example.com")), step(10, email("vp@example.com"))]
    )
    steps = [step(0, rotation(primary)), step(5, policy_routing(managers))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [
        (0, "bob", "email"),
        (5, "lead@example.com", "email"),
        (15, "vp@example.com", "email"),
    ]


def test_a_waiting_room_pages_the_primary_policy_only_after_its_delay(story: Story) -> None:
    # The vendor's "Waiting Room": step 1 waits, then executes the primary policy, whose
    # first step's own delay counts from that moment.
    team, primary = _team(story, LAST_MONDAY)
    on_call = story.policy(team, "Primary", [step(0, rotation(primary)), step(5, next_in(primary))])
    waiting = story.policy(team, "Waiting room", [step(10, policy_routing(on_call))])
    story.routing_key("flaky", [waiting])

    story.alert("flaky")
    story.advance(minutes=14)
    assert story.new_pages() == [(10, "bob", "email")]
    story.advance(minutes=1)
    assert story.new_pages() == [(15, "carol", "email")]
