"""The paging engine down for 30 minutes, then catching up.

What is checked, from the vendor's definitions (Swagger 2020-06, EscalationPolicyGroup: a
step's timeout is "the duration in minutes to wait until executing this step since the last
step was executed"; kb.victorops.com "Paging Policy Setup": "The last step of the policy will
repeat until the incident is acknowledged"):
- Every step whose time passed during the outage runs once, late, at the minute the engine
  came back; personal repeats that fell due run once, not once per missed interval; the
  next repeat counts from the late one.
- An ack or RECOVERY received while the engine was down (the API and the alert endpoint
  keep working) means nothing that fell due is sent.

The vendor documents no outage, so this is our choice, and the reading that follows from
"who is on call": a late step pages whoever is on call when it runs, not who was on call
when it fell due (a handoff during the outage hands the late page to the new person).
"""

from __future__ import annotations

from tests.scenarios import lifecycle_steps as do
from tests.scenarios.story import Story, policy_routing, rotation, step, user


def _database(story: Story, *later: str, every: int = 15) -> None:
    """alice first, then each of `later` `every` minutes after the one before, on "db"."""
    alice = story.user("alice")
    others = [story.user(name) for name in later]
    team = story.team("Database", [alice, *others])
    steps = [step(0, user(alice)), *(step(every, user(name)) for name in others)]
    story.routing_key("db", [story.policy(team, "Database", steps)])


def test_an_outage_from_the_alert_on_runs_both_due_steps_once_when_the_engine_returns(
    story: Story,
) -> None:
    _database(story, "bob")
    story.alert("db")
    story.engine_down(minutes=30)
    story.advance(minutes=6)
    assert sorted(story.pages()) == [
        (30, "alice", "email"),
        (30, "bob", "email"),
        (35, "alice", "email"),
        (35, "bob", "email"),
    ]


def test_an_outage_mid_escalation_sends_each_missed_page_once_late(story: Story) -> None:
    _database(story, "bob")
    story.alert("db")
    story.advance(minutes=2)
    story.engine_down(minutes=30)
    story.advance(minutes=6)
    assert sorted(story.pages()) == [
        (0, "alice", "email"),
        (32, "alice", "email"),
        (32, "bob", "email"),
        (37, "alice", "email"),
        (37, "bob", "email"),
    ]


def test_two_steps_that_fell_due_in_the_outage_both_run_at_the_minute_it_ends(
    story: Story,
) -> None:
    _database(story, "bob", "carol", every=10)
    story.alert("db")
    story.advance(minutes=1)
    story.engine_down(minutes=30)
    story.advance(minutes=1)
    assert sorted(story.pages()) == [
        (0, "alice", "email"),
        (31, "alice", "email"),
        (31, "bob", "email"),
        (31, "carol", "email"),
    ]


def test_a_missed_sms_step_is_sent_once_and_then_repeats_every_five_minutes(
    story: Story,
) -> None:
    story.user("alice", phone="+15550001111")
    team = story.team("Database", ["alice"])
    story.routing_key("db", [story.policy(team, "Database", [step(0, user("alice"))])])
    story.alert("db")
    story.advance(minutes=1)
    story.engine_down(minutes=30)
    story.advance(minutes=6)
    assert story.pages() == [
        (0, "alice", "email"),
        (31, "alice", "sms"),
        (36, "alice", "sms"),
    ]


def test_an_ack_during_the_outage_means_nothing_due_is_sent(story: Story) -> None:
    _database(story, "bob")
    story.alert("db")
    story.advance(minutes=2)
    story.engine_down(minutes=10)
    story.ack(1, by="alice")
    story.engine_down(minutes=20)
    story.advance(hours=1)
    assert story.pages() == [(0, "alice", "email")]


def test_a_recovery_during_the_outage_means_nothing_due_is_sent(story: Story) -> None:
    _database(story, "bob")
    story.alert("db")
    story.advance(minutes=2)
    story.engine_down(minutes=10)
    do.recovery(story, "db")
    story.engine_down(minutes=20)
    story.advance(hours=1)
    assert story.pages() == [(0, "alice", "email")]
    assert do.phase(story, 1) == "RESOLVED"


def test_a_policy_routed_to_in_the_outage_runs_its_own_steps_that_fell_due(
    story: Story,
) -> None:
    alice, dave, erin = story.user("alice"), story.user("dave"), story.user("erin")
    team = story.team("Database", [alice, dave, erin])
    dba = story.policy(team, "DBA", [step(0, user(dave)), step(10, user(erin))])
    steps = [step(0, user(alice)), step(10, policy_routing(dba))]
    story.routing_key("db", [story.policy(team, "Database", steps)])
    story.alert("db")
    story.advance(minutes=1)
    story.engine_down(minutes=30)  # DBA starts at minute 10, its step 2 falls due at 20
    story.advance(minutes=1)
    assert sorted(story.pages()) == [
        (0, "alice", "email"),
        (31, "alice", "email"),
        (31, "dave", "email"),
        (31, "erin", "email"),
    ]


def test_a_reroute_during_the_outage_runs_the_new_policys_overdue_steps_once(
    story: Story,
) -> None:
    _database(story, "bob")
    dave, erin = story.user("dave"), story.user("erin")
    dba_team = story.team("DBA", [dave, erin])
    dba = story.policy(dba_team, "DBA", [step(0, user(dave)), step(10, user(erin))])
    story.alert("db")
    story.advance(minutes=2)
    story.engine_down(minutes=3)
    do.reroute(story, 1, by="alice", policies=[dba])  # minute 5; DBA's step 2 due at 15
    story.engine_down(minutes=25)
    story.advance(minutes=1)
    assert sorted(story.pages()) == [
        (0, "alice", "email"),
        (30, "dave", "email"),
        (30, "erin", "email"),
    ]


def test_a_late_step_pages_whoever_is_on_call_when_it_runs(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    team = story.team("Database", [alice, bob, carol])
    # Daily handoff at 12:20: alice until today 12:20, then bob.
    primary = story.rotation(team, "Primary", [alice, bob], start="2026-01-04T12:20", days=1)
    steps = [step(0, user(carol)), step(15, rotation(primary))]
    story.routing_key("db", [story.policy(team, "Database", steps)])
    story.alert("db")  # 12:00; step 2 falls due at 12:15, while alice is on call
    story.advance(minutes=2)
    story.engine_down(minutes=30)  # back at 12:32, after the handoff
    story.advance(minutes=1)
    assert sorted(story.pages()) == [
        (0, "carol", "email"),
        (32, "bob", "email"),
        (32, "carol", "email"),
    ]
