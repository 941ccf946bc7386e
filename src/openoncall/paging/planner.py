"""The personal paging planner, pure: which of a user's contacts a personal step notifies,
and what runs after it.

A user's steps are frozen when paging begins (`[{"timeout_minutes": 5, "rules": [{"type":
"sms", "contact_id": 12}]}]`). Each run notifies by one step; a step's timeout is the wait
before the next one; past the end the last step repeats (the vendor's "until acknowledged")
unless its timeout is 0, and never more than MAX_PAGE_RUNS times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from openoncall.contacts.models import ContactKind
from openoncall.notify.channel import Medium

# "Call until reached" repeats the last personal step; this caps a forgotten incident.
MAX_PAGE_RUNS = 50

RULE_MEDIUM: dict[str, Medium] = {
    "email": Medium.EMAIL,
    "sms": Medium.SMS,
    "phone": Medium.PHONE,
    "push": Medium.PUSH,
}

Steps = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Send:
    """One notification to plan: the contact it goes to (None: the account's address)."""

    medium: Medium
    contact_id: int | None
    destination: str


@dataclass(frozen=True, slots=True)
class Run:
    """What one run of a user's page does."""

    label: str
    sends: tuple[Send, ...]
    next_step_index: int
    runs: int
    # None: the page is done after this run.
    next_in: timedelta | None


def with_fallback(steps: Steps) -> Steps:
    """A user with nothing to notify by still gets an email at the account's address."""
    if any(step["rules"] for step in steps):
        return steps
    return [{"timeout_minutes": 0, "rules": [{"type": "email", "contact_id": None}]}]


def plan_run(
    steps: Steps,
    *,
    next_step_index: int,
    runs: int,
    contacts: Sequence[Contact],
    account_email: str | None,
) -> Run:
    index = min(next_step_index, len(steps) - 1)
    step = steps[index]
    label = f"personal step {index + 1}" + (" (repeat)" if next_step_index > index else "")
    sends = tuple(
        send for rule in step["rules"] for send in sends_for_rule(rule, contacts, account_email)
    )
    runs += 1
    next_step_index += 1
    timeout = int(step.get("timeout_minutes", 0))
    repeating = next_step_index >= len(steps)
    done = (timeout <= 0 and repeating) or runs >= MAX_PAGE_RUNS
    return Run(
        label=label,
        sends=sends,
        next_step_index=next_step_index,
        runs=runs,
        next_in=None if done else timedelta(minutes=max(timeout, 1)),
    )


def sends_for_rule(
    rule: dict[str, Any], contacts: Sequence[Contact], account_email: str | None
) -> list[Send]:
    """Push goes to every device (or the one named); email and SMS/phone to the named
    contact, else the first of its kind; email falls back to the account's address."""
    medium = RULE_MEDIUM.get(str(rule.get("type")))
    if medium is None:
        return []
    named = rule.get("contact_id")
    if medium == Medium.PUSH:
        devices = [c for c in contacts if c.kind == ContactKind.DEVICE]
        if named is not None:
            devices = [c for c in devices if c.id == named]
        return [Send(medium, c.id, c.value) for c in devices]
    wanted = ContactKind.EMAIL if medium == Medium.EMAIL else ContactKind.PHONE
    chosen = [c for c in contacts if c.id == named and c.kind == wanted] or [
        c for c in contacts if c.kind == wanted
    ][:1]
    if not chosen and medium == Medium.EMAIL and account_email:
        return [Send(medium, None, account_email)]
    return [Send(medium, c.id, c.value) for c in chosen]
