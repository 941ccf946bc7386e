"""Personal paging policies: how a paged person is contacted, and the repeat until ack.

Splunk On-Call knowledge base, "Paging Policy Setup"
(kb.victorops.com/knowledge-base/paging-policy-setup): "The steps in a personal paging policy
will execute in order. The last step of the policy will repeat until the incident is
acknowledged." A step's timeout reads "If still unacked after N minutes" (the vendor's
`/policies/types/timeouts`, N in 1, 5, 10, 15, 20, 25, 30, 45, 60). Edited here through the
vendor's `/api-public/v1/profile/{username}/policies` endpoints.

The default policy (no edit): email at once, and push to the user's devices if any; after 5
minutes an SMS to the first phone, if any; the last step repeats every 5 minutes.

ignoreCustomPagingPolicies (Swagger 2020-06, EscalationPolicy; "Set up an escalation policy",
docs.splunk.com/observability/sp-oncall/alerts/team-escalation-policy.html): "this will page
the on-call user via their Primary Paging Policy and ignore any custom paging policies they
have set". Custom policies are the vendor's time-based extra policies; OpenOnCall has only
the primary one, so the flag leaves the primary policy in charge, repeats included.
"""

from __future__ import annotations

from tests.scenarios.paging_steps import (
    add_step,
    delete_rule,
    email_rule,
    paging_policy,
    phone_rule,
    push_rule,
    set_step,
    sms_rule,
)
from tests.scenarios.story import Story, rotation, step, user

PHONE = "+15550001111"


def _paged(story: Story, alice: str, *, ignore_custom: bool = False, name: str = "Database") -> str:
    """alice alone on call for a one-step policy behind the routing key `db`."""
    team = story.team(name, [alice])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    policy = story.policy(
        team, name, [step(0, rotation(primary))], ignore_custom_paging_policies=ignore_custom
    )
    story.routing_key("db", [policy])
    return policy


def _shown(story: Story, username: str) -> list[tuple[int, list[str]]]:
    return [(s["timeout"], [r["type"] for r in s["rules"]]) for s in paging_policy(story, username)]


def test_the_default_policy_emails_then_texts_every_five_minutes_until_ack(story: Story) -> None:
    alice = story.user("alice", phone=PHONE)
    _paged(story, alice)

    story.alert("db")
    story.advance(minutes=17)
    story.ack(1, by=alice)
    story.advance(hours=2)
    assert story.new_pages() == [
        (0, "alice", "email"),
        (5, "alice", "sms"),
        (10, "alice", "sms"),
        (15, "alice", "sms"),
    ]


def test_the_default_policy_pushes_to_a_device_with_the_first_email(story: Story) -> None:
    alice = story.user("alice", device=True)
    _paged(story, alice)

    story.alert("db")
    story.advance(minutes=7)
    story.ack(1, by=alice)
    story.advance(hours=1)
    assert sorted(story.new_pages()) == [
        (0, "alice", "email"),
        (0, "alice", "push"),
        (5, "alice", "email"),
        (5, "alice", "push"),
    ]


def test_push_then_sms_then_phone_calls_repeating_until_ack(story: Story) -> None:
    alice = story.user("alice", device=True)
    phone = story.phone(alice, PHONE)
    # A phone gives the default policy a second step (SMS): edit both, then add a third.
    set_step(story, alice, 0, 5, push_rule())
    set_step(story, alice, 1, 10, sms_rule(phone))
    add_step(story, alice, 15, phone_rule(phone))
    _paged(story, alice)

    story.alert("db")
    story.advance(minutes=50)
    story.ack(1, by=alice)
    story.advance(hours=2)
    assert story.new_pages() == [
        (0, "alice", "push"),
        (5, "alice", "sms"),
        (15, "alice", "phone"),
        (30, "alice", "phone"),
        (45, "alice", "phone"),
    ]


def test_a_one_minute_last_step_repeats_every_minute(story: Story) -> None:
    alice = story.user("alice")
    set_step(story, alice, 0, 1, email_rule(story, alice))
    _paged(story, alice)

    story.alert("db")
    story.advance(minutes=3)
    story.ack(1, by=alice)
    story.advance(minutes=30)
    assert story.new_pages() == [(m, "alice", "email") for m in range(4)]


def test_one_step_with_several_rules_sends_them_all_at_once(story: Story) -> None:
    alice = story.user("alice", device=True)
    phone = story.phone(alice, PHONE)
    set_step(story, alice, 0, 30, email_rule(story, alice), sms_rule(phone), push_rule())
    _paged(story, alice)

    story.alert("db")
    story.advance(minutes=29)
    assert sorted(story.new_pages()) == [
        (0, "alice", "email"),
        (0, "alice", "push"),
        (0, "alice", "sms"),
    ]


def test_an_edit_keeps_the_default_steps_it_does_not_touch(story: Story) -> None:
    alice = story.user("alice")
    phone = story.phone(alice, PHONE)
    assert _shown(story, alice) == [(5, ["email"]), (5, ["sms"])]  # the default
    set_step(story, alice, 0, 10, sms_rule(phone))
    add_step(story, alice, 20, phone_rule(phone))
    # The first edit keeps the default's other steps.
    assert _shown(story, alice) == [(10, ["sms"]), (5, ["sms"]), (20, ["phone"])]


def test_each_person_follows_their_own_policy_as_the_escalation_moves_on(story: Story) -> None:
    alice, bob = story.user("alice", phone=PHONE), story.user("bob")
    set_step(story, bob, 0, 15, email_rule(story, bob))
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    steps = [step(0, rotation(primary)), step(7, user(bob))]
    story.routing_key("db", [story.policy(team, "Database", steps)])

    story.alert("db")
    story.advance(minutes=20)
    assert story.new_pages() == [
        (0, "alice", "email"),
        (5, "alice", "sms"),
        (7, "bob", "email"),
        (10, "alice", "sms"),
        (15, "alice", "sms"),
        (20, "alice", "sms"),
    ]


def test_ignore_custom_policies_still_pages_by_the_primary_policy_until_ack(story: Story) -> None:
    alice = story.user("alice")
    phone = story.phone(alice, PHONE)
    set_step(story, alice, 0, 5, sms_rule(phone))
    set_step(story, alice, 1, 5, phone_rule(phone))
    _paged(story, alice, ignore_custom=True)

    story.alert("db")
    story.advance(minutes=16)
    story.ack(1, by=alice)
    story.advance(hours=1)
    assert story.new_pages() == [
        (0, "alice", "sms"),
        (5, "alice", "phone"),
        (10, "alice", "phone"),
        (15, "alice", "phone"),
    ]


def test_ignore_custom_policies_changes_nothing_for_the_default_policy(story: Story) -> None:
    alice = story.user("alice", phone=PHONE)
    _paged(story, alice, ignore_custom=True)

    story.alert("db")
    story.advance(minutes=12)
    assert story.new_pages() == [
        (0, "alice", "email"),
        (5, "alice", "sms"),
        (10, "alice", "sms"),
    ]


def test_a_user_who_removes_the_email_rule_is_only_pushed(story: Story) -> None:
    alice = story.user("alice", device=True)
    delete_rule(story, alice, 0, 0)  # the default first step: email, then push
    _paged(story, alice)

    story.alert("db")
    story.advance(minutes=12)
    assert story.new_pages() == [(0, "alice", "push"), (5, "alice", "push"), (10, "alice", "push")]
