"""Multi-step escalation policies: when each step runs, and that nothing runs after the last.

The vendor's meaning of a step's `timeout` (Swagger 2020-06, EscalationPolicyGroup): "the
duration in minutes to wait until executing this step since the last step was executed";
0 means at once. Splunk On-Call docs, "Set up an escalation policy"
(docs.splunk.com/observability/sp-oncall/alerts/team-escalation-policy.html): "All subsequent
steps will have the time delay reference the previous step, not the incident's beginning.
That is, if Step 1 has a time delay of 5 minutes and Step 2 has a time delay of 10 minutes
then paging for Step 2 will not be triggered until 15 minutes after the incident".

A policy repeats the vendor's way: its last step executes the policy itself ("Execute
Policy", `policy_routing`; the vendor's web UI edits a policy to point at itself, here the
/api-ext step append). The executed policy starts again from its first step, whose delay
counts from that moment. The vendor documents no limit on the repeats; unsure whether it
has one, these stories stay within a few rounds. A policy without such a step stops at its
last step.

People here read email and repeat it hourly (`hourly`), so each step shows as one page.
"""

from __future__ import annotations

from tests.scenarios.paging_steps import add_policy_step, hourly
from tests.scenarios.story import Story, email, policy_routing, rotation, step, user, webhook


def test_three_steps_each_wait_counts_from_the_step_before(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    hourly(story, alice, bob, carol)
    team = story.team("Database", [alice, bob, carol])
    policy = story.policy(
        team, "Database", [step(0, user(alice)), step(10, user(bob)), step(20, user(carol))]
    )
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=29)
    assert story.new_pages() == [(0, "alice", "email"), (10, "bob", "email")]
    story.advance(minutes=30)
    assert story.new_pages() == [(30, "carol", "email")]


def test_four_steps_with_zero_timeouts_run_together_with_the_step_before(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    carol, dave = story.user("carol"), story.user("dave")
    hourly(story, alice, bob, carol, dave)
    team = story.team("Payments", [alice, bob, carol, dave])
    steps = [step(0, user(alice)), step(0, user(bob)), step(15, user(carol)), step(0, user(dave))]
    story.routing_key("pay", [story.policy(team, "Payments", steps)])

    story.alert("pay")
    story.advance(minutes=14)
    assert story.new_pages() == [(0, "alice", "email"), (0, "bob", "email")]
    story.advance(minutes=45)
    assert story.new_pages() == [(15, "carol", "email"), (15, "dave", "email")]


def test_two_steps_both_at_zero_page_everyone_at_once(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    hourly(story, alice, bob)
    team = story.team("Web", [alice, bob])
    policy = story.policy(team, "Web", [step(0, user(alice)), step(0, user(bob))])
    story.routing_key("web", [policy])

    story.alert("web")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "alice", "email"), (0, "bob", "email")]


def test_a_delayed_first_step_delays_every_later_step(story: Story) -> None:
    # The vendor's own example: 5 then 10 minutes puts step 2 at minute 15, not 10.
    alice, bob = story.user("alice"), story.user("bob")
    hourly(story, alice, bob)
    team = story.team("Web", [alice, bob])
    policy = story.policy(team, "Web", [step(5, user(alice)), step(10, user(bob))])
    story.routing_key("web", [policy])

    story.alert("web")
    story.advance(minutes=14)
    assert story.new_pages() == [(5, "alice", "email")]
    story.advance(minutes=1)
    assert story.new_pages() == [(15, "bob", "email")]


def test_long_timeouts_wait_hours_and_then_a_day(story: Story) -> None:
    team = story.team("Facilities")
    steps = [
        step(0, email("facilities@example.com")),
        step(120, email("manager@example.com")),
        step(1440, email("director@example.com")),
    ]
    story.routing_key("hvac", [story.policy(team, "Facilities", steps)])

    story.alert("hvac")
    story.advance(minutes=1559)
    assert story.new_pages() == [
        (0, "facilities@example.com", "email"),
        (120, "manager@example.com", "email"),
    ]
    story.advance(minutes=1)
    assert story.new_pages() == [(1560, "director@example.com", "email")]


def test_a_policy_stops_at_its_last_step_and_never_starts_again(story: Story) -> None:
    team = story.team("Network")
    hook = story.webhook("chatops")
    steps = [step(0, webhook(hook)), step(10, email("noc@example.com"))]
    story.routing_key("net", [story.policy(team, "Network", steps)])

    story.alert("net")
    story.advance(days=3)
    assert story.new_pages() == [(0, "chatops", "webhook"), (10, "noc@example.com", "email")]


def test_several_entries_in_one_step_are_paged_together(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    hourly(story, alice, bob)
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    hook = story.webhook("chatops")
    entries = (rotation(primary), user(bob), email("dba@example.com"), webhook(hook))
    story.routing_key("db", [story.policy(team, "Database", [step(0, *entries)])])

    story.alert("db")
    story.advance(minutes=59)
    assert sorted(story.new_pages()) == [
        (0, "alice", "email"),
        (0, "bob", "email"),
        (0, "chatops", "webhook"),
        (0, "dba@example.com", "email"),
    ]


def test_someone_named_twice_in_one_step_is_paged_once(story: Story) -> None:
    alice = story.user("alice")
    hourly(story, alice)
    team = story.team("Database", [alice])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    policy = story.policy(team, "Database", [step(0, rotation(primary), user(alice))])
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "alice", "email")]


def test_a_later_step_does_not_page_again_someone_already_being_paged(story: Story) -> None:
    # "A user already being paged is not paged again": alice's own policy carries on hourly.
    alice, bob = story.user("alice"), story.user("bob")
    hourly(story, alice, bob)
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    steps = [step(0, rotation(primary)), step(10, user(alice), user(bob))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(minutes=65)
    assert story.new_pages() == [
        (0, "alice", "email"),
        (10, "bob", "email"),
        (60, "alice", "email"),
    ]


def test_a_last_step_executing_the_policy_itself_repeats_it_until_ack(story: Story) -> None:
    alice = story.user("alice")
    hourly(story, alice)
    team = story.team("Database", [alice])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    steps = [step(0, rotation(primary)), step(10, email("lead@example.com"))]
    policy = story.policy(team, "Database", steps)
    add_policy_step(story, policy, step(10, policy_routing(policy)))
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=55)
    # Round 2 starts at 20, round 3 at 40; alice, still being paged hourly, is not paged again.
    assert story.new_pages() == [
        (0, "alice", "email"),
        (10, "lead@example.com", "email"),
        (30, "lead@example.com", "email"),
        (50, "lead@example.com", "email"),
    ]
    story.ack(1, by=alice)
    story.advance(hours=3)
    assert story.new_pages() == []


def test_a_repeat_waits_for_the_first_steps_own_delay(story: Story) -> None:
    team = story.team("Network")
    hook = story.webhook("chatops")
    policy = story.policy(team, "Network", [step(5, webhook(hook))])
    add_policy_step(story, policy, step(15, policy_routing(policy)))
    story.routing_key("net", [policy])

    story.alert("net")
    story.advance(minutes=60)
    assert story.new_pages() == [
        (5, "chatops", "webhook"),
        (25, "chatops", "webhook"),
        (45, "chatops", "webhook"),
    ]


def test_two_policies_on_one_key_reaching_the_same_person_page_her_once(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    hourly(story, alice, bob)
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    dba = story.policy(team, "DBA", [step(0, rotation(primary))])
    backup = story.policy(team, "Backup", [step(0, user(alice)), step(5, user(bob))])
    story.routing_key("db", [dba, backup])

    story.alert("db")
    story.advance(minutes=59)
    assert story.new_pages() == [(0, "alice", "email"), (5, "bob", "email")]
