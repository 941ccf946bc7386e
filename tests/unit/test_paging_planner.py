"""The personal paging planner: which contacts a step notifies, and what runs after it."""

from __future__ import annotations

from datetime import timedelta

from openoncall.contacts.models import ContactKind
from openoncall.notify.channel import Medium
from openoncall.paging.planner import (
    MAX_PAGE_RUNS,
    Contact,
    Send,
    plan_run,
    sends_for_rule,
    with_fallback,
)

PHONE = Contact(1, ContactKind.PHONE, "+15550100")
WORK = Contact(2, ContactKind.EMAIL, "ada@work.example")
HOME = Contact(3, ContactKind.EMAIL, "ada@home.example")
PIXEL = Contact(4, ContactKind.DEVICE, "device-pixel")
IPAD = Contact(5, ContactKind.DEVICE, "device-ipad")
ALL = [PHONE, WORK, HOME, PIXEL, IPAD]


def _step(minutes: int, *rules: tuple[str, int | None]) -> dict[str, object]:
    return {
        "timeout_minutes": minutes,
        "rules": [{"type": kind, "contact_id": contact} for kind, contact in rules],
    }


def test_each_run_takes_the_next_step_then_repeats_the_last_until_acknowledged() -> None:
    steps = [_step(5, ("sms", 1)), _step(10, ("email", 2))]
    first = plan_run(steps, next_step_index=0, runs=0, contacts=ALL, account_email=None)
    assert (first.label, first.sends, first.next_in) == (
        "personal step 1",
        (Send(Medium.SMS, 1, "+15550100"),),
        timedelta(minutes=5),
    )
    second = plan_run(steps, next_step_index=1, runs=1, contacts=ALL, account_email=None)
    assert (second.label, second.next_in) == ("personal step 2", timedelta(minutes=10))
    again = plan_run(steps, next_step_index=2, runs=2, contacts=ALL, account_email=None)
    assert (again.label, again.sends, again.next_in) == (
        "personal step 2 (repeat)",
        (Send(Medium.EMAIL, 2, "ada@work.example"),),
        timedelta(minutes=10),
    )


def test_a_last_step_with_no_timeout_runs_once_and_repeats_are_capped() -> None:
    once = [_step(0, ("email", None))]
    assert (
        plan_run(once, next_step_index=0, runs=0, contacts=ALL, account_email=None).next_in is None
    )
    forever = [_step(1, ("email", None))]
    last = plan_run(
        forever, next_step_index=9, runs=MAX_PAGE_RUNS - 1, contacts=ALL, account_email=None
    )
    assert (last.runs, last.next_in) == (MAX_PAGE_RUNS, None)


def test_a_zero_timeout_before_the_end_still_waits_a_minute() -> None:
    steps = [_step(0, ("sms", 1)), _step(0, ("email", 2))]
    run = plan_run(steps, next_step_index=0, runs=0, contacts=ALL, account_email=None)
    assert run.next_in == timedelta(minutes=1)


def test_rules_pick_the_named_contact_else_the_first_of_its_kind() -> None:
    assert sends_for_rule({"type": "email", "contact_id": 3}, ALL, None) == [
        Send(Medium.EMAIL, 3, "ada@home.example")
    ]
    # A named contact of another kind (or gone) falls back to the first email.
    assert sends_for_rule({"type": "email", "contact_id": 1}, ALL, None) == [
        Send(Medium.EMAIL, 2, "ada@work.example")
    ]
    assert sends_for_rule({"type": "phone", "contact_id": None}, ALL, None) == [
        Send(Medium.PHONE, 1, "+15550100")
    ]
    assert sends_for_rule({"type": "push", "contact_id": None}, ALL, None) == [
        Send(Medium.PUSH, 4, "device-pixel"),
        Send(Medium.PUSH, 5, "device-ipad"),
    ]
    assert sends_for_rule({"type": "push", "contact_id": 5}, ALL, None) == [
        Send(Medium.PUSH, 5, "device-ipad")
    ]
    assert sends_for_rule({"type": "carrier-pigeon", "contact_id": None}, ALL, None) == []


def test_without_contacts_email_goes_to_the_account_address_and_sms_to_nobody() -> None:
    assert sends_for_rule({"type": "email", "contact_id": None}, [], "ada@example.com") == [
        Send(Medium.EMAIL, None, "ada@example.com")
    ]
    assert sends_for_rule({"type": "sms", "contact_id": None}, [], "ada@example.com") == []
    assert with_fallback([_step(5)]) == [_step(0, ("email", None))]
    kept = [_step(5, ("sms", 1))]
    assert with_fallback(kept) is kept
