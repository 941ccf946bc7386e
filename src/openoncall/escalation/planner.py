"""PURE: (policy snapshot, progress, who is on call, now) → the pages to send and what runs next.

A step's `timeout` is the wait *before* it, as the vendor defines it: "the duration in minutes
to wait until executing this step since the last step was executed" (0 = at once). Step 1
runs its own timeout after escalation starts; step N runs step N's timeout after step N-1
ran. Due times follow from the previous step's due time, not from when a worker got round to
it, so an engine that was down catches up to exactly the steps that fell due, and planning in
one big jump pages the same people as planning in many small ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from openoncall.escalation.snapshot import EntrySnapshot, PolicySnapshot

ROTATION_GROUP = "rotation_group"
ROTATION_GROUP_NEXT = "rotation_group_next"
ROTATION_GROUP_PREVIOUS = "rotation_group_previous"
USER = "user"
EMAIL = "email"
WEBHOOK = "webhook"
POLICY_ROUTING = "policy_routing"
TEAM_PAGE = "team_page"


class OnCallView(Protocol):
    """Who is on call now, as the on-call calculator answers it for the policy being run."""

    def oncall(self, group_id: int) -> Sequence[str]:
        """Usernames on call in the rotation group now."""
        ...

    def adjacent(self, group_id: int, step: int) -> Sequence[str]:
        """The next (`+1`) or previous (`-1`) person in the group's rotation now."""
        ...

    def team_members(self, team_id: int) -> Sequence[str]:
        """Usernames of every member of the team now."""
        ...


@dataclass(frozen=True, slots=True)
class Progress:
    next_step_index: int
    next_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Page:
    """One target to page, and why (the timeline shows `reason`)."""

    step_index: int
    entry_position: int
    execution_type: str
    reason: str
    username: str | None = None
    email: str | None = None
    webhook_slug: str | None = None
    target_policy_id: int | None = None
    target_policy_slug: str | None = None
    # policy_routing only: when its step fell due; the routed-to policy counts from there.
    step_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Advance:
    pages: tuple[Page, ...]
    # Entries that resolved to nobody (an empty rotation): recorded, not paged.
    notices: tuple[str, ...]
    steps_run: tuple[int, ...]
    next_step_index: int
    next_due_at: datetime | None

    @property
    def done(self) -> bool:
        return self.next_due_at is None


def start(snapshot: PolicySnapshot, now: datetime) -> Progress:
    """Progress of an escalation that has not run yet: step 1, due after its own timeout."""
    if not snapshot.steps:
        return Progress(next_step_index=0, next_due_at=None)
    return Progress(next_step_index=0, next_due_at=now + _wait_before(snapshot, 0))


def _wait_before(snapshot: PolicySnapshot, index: int) -> timedelta:
    return timedelta(minutes=snapshot.steps[index].timeout_minutes)


def plan_next_pages(
    snapshot: PolicySnapshot, progress: Progress, oncall: OnCallView, now: datetime
) -> Advance:
    """Run every step due at `now`, in order; say which step is next and when."""
    pages: list[Page] = []
    notices: list[str] = []
    ran: list[int] = []
    index, due = progress.next_step_index, progress.next_due_at
    while due is not None and due <= now and index < len(snapshot.steps):
        step_pages, step_notices = _step_pages(snapshot, index, oncall, due)
        pages.extend(step_pages)
        notices.extend(step_notices)
        ran.append(index)
        index += 1
        due = due + _wait_before(snapshot, index) if index < len(snapshot.steps) else None
    if index >= len(snapshot.steps):
        due = None
    return Advance(
        pages=tuple(pages),
        notices=tuple(notices),
        steps_run=tuple(ran),
        next_step_index=index,
        next_due_at=due,
    )


def _step_pages(
    snapshot: PolicySnapshot, index: int, oncall: OnCallView, due: datetime
) -> tuple[list[Page], list[str]]:
    step_label = _step_label(snapshot, index)
    pages: list[Page] = []
    notices: list[str] = []
    seen_users: set[str] = set()
    for entry in sorted(snapshot.steps[index].entries, key=lambda e: e.position):
        kind = entry.execution_type
        if kind in (ROTATION_GROUP, ROTATION_GROUP_NEXT, ROTATION_GROUP_PREVIOUS, TEAM_PAGE):
            users, why = (
                _rotation_users(entry, oncall) if kind != TEAM_PAGE else _team_users(entry, oncall)
            )
            if not users:
                notices.append(f"{step_label}: {why}: nobody to page")
            for username in users:
                if username in seen_users:
                    continue
                seen_users.add(username)
                pages.append(_page(index, entry, f"{step_label}: {why}", username=username))
        elif kind == USER and entry.username is not None:
            if entry.username not in seen_users:
                seen_users.add(entry.username)
                pages.append(
                    _page(
                        index, entry, f"{step_label}: named in the policy", username=entry.username
                    )
                )
        elif kind == EMAIL and entry.email:
            pages.append(_page(index, entry, f"{step_label}: email entry", email=entry.email))
        elif kind == WEBHOOK and entry.webhook_slug:
            pages.append(
                _page(index, entry, f"{step_label}: webhook entry", webhook_slug=entry.webhook_slug)
            )
        elif kind == POLICY_ROUTING and entry.target_policy_id is not None:
            routed = _page(
                index,
                entry,
                f"{step_label}: continue in policy {entry.target_policy_slug}",
                target_policy_id=entry.target_policy_id,
                target_policy_slug=entry.target_policy_slug,
            )
            pages.append(replace(routed, step_due_at=due))
        else:
            notices.append(f"{step_label}: entry {entry.position} ({kind}) has no target")
    return pages, notices


def _rotation_users(entry: EntrySnapshot, oncall: OnCallView) -> tuple[Sequence[str], str]:
    group = entry.rotation_group_id
    label = entry.rotation_group_label or str(group)
    if group is None:
        return (), f"rotation {label}"
    if entry.execution_type == ROTATION_GROUP:
        return oncall.oncall(group), f"on call in rotation {label}"
    if entry.execution_type == ROTATION_GROUP_NEXT:
        return oncall.adjacent(group, 1), f"next in rotation {label}"
    return oncall.adjacent(group, -1), f"previous in rotation {label}"


def _team_users(entry: EntrySnapshot, oncall: OnCallView) -> tuple[Sequence[str], str]:
    label = entry.team_name or str(entry.team_id)
    if entry.team_id is None:
        return (), f"team {label}"
    return oncall.team_members(entry.team_id), f"member of team {label}"


def _step_label(snapshot: PolicySnapshot, index: int) -> str:
    label = f"Step {index + 1} of policy {snapshot.name}"
    waited = snapshot.steps[index].timeout_minutes
    if waited == 0:
        return label
    if index == 0:
        return f"{label} (after a {waited} min delay)"
    return f"{label} (unacknowledged after {waited} min)"


def _page(index: int, entry: EntrySnapshot, reason: str, **target: str | int | None) -> Page:
    return Page(
        step_index=index,
        entry_position=entry.position,
        execution_type=entry.execution_type,
        reason=reason,
        username=_str(target.get("username")),
        email=_str(target.get("email")),
        webhook_slug=_str(target.get("webhook_slug")),
        target_policy_id=_int(target.get("target_policy_id")),
        target_policy_slug=_str(target.get("target_policy_slug")),
    )


def _str(value: str | int | None) -> str | None:
    return None if value is None else str(value)


def _int(value: str | int | None) -> int | None:
    return None if value is None else int(value)
