"""Database → on-call calculator: load rotation rules, overrides and takes, answer who is on call.

The thin I/O layer over `openoncall.schedules.oncall` (pure). Every query filters by org_id.
Consumers: the policies/schedules/on-call-now APIs, the paging engine (who to page in a
rotation group, with the policy's overrides and takes applied), the UI and the iCal feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from openoncall.schedules.oncall import (
    GroupRules,
    OverrideInterval,
    PolicySpan,
    ScheduledOverrideRule,
    ShiftRule,
    TakeRule,
)


@dataclass(frozen=True, slots=True)
class EntryOnCall:
    """One escalation entry of a step, with its on-call spans for the window.

    For `rotation_group*` entries `group` is set and `spans` are the group's spans after this
    policy's overrides and takes (for `_next`/`_previous`, `spans` is empty and `adjacent`
    holds who would be paged at `now`). For `user` entries `username` is set and `spans` is
    one span over the window (after overrides). Other types carry their target only.
    """

    position: int
    execution_type: str
    group: GroupRules | None = None
    username: str | None = None
    email: str | None = None
    webhook_slug: str | None = None
    target_policy_slug: str | None = None
    spans: tuple[PolicySpan, ...] = ()
    # The spans containing `now`, unclipped, after overrides and takes.
    current: tuple[PolicySpan, ...] = ()
    adjacent: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepOnCall:
    position: int
    timeout_minutes: int
    entries: tuple[EntryOnCall, ...]


@dataclass(frozen=True, slots=True)
class PolicyOnCall:
    """A policy's on-call picture over `[start, end)` and at `now`."""

    policy_id: int
    policy_slug: str
    policy_name: str
    team_id: int
    start: datetime
    end: datetime
    now: datetime
    steps: tuple[StepOnCall, ...]
    overrides: tuple[OverrideInterval, ...]
    shifts: dict[int, ShiftRule] = field(default_factory=dict)
    # Next handoff after `now` per shift id (VictorOps `shiftRoll`), None if none within a year.
    next_rolls: dict[int, datetime | None] = field(default_factory=dict)

    def oncall_now(self, step_position: int | None = None) -> list[str]:
        """Usernames on call at `now` (after overrides and takes), in step/entry order,
        deduplicated; only the given step when `step_position` is set."""
        raise NotImplementedError


def load_group_rules(
    session: Session,
    org_id: int,
    group_ids: Iterable[int] | None = None,
    *,
    team_id: int | None = None,
) -> dict[int, GroupRules]:
    """Rotation groups of the org (only `group_ids`, or only `team_id`'s, when given) with
    their shifts and members, as calculator inputs, keyed by group id."""
    raise NotImplementedError


def load_overrides(
    session: Session, org_id: int, start: datetime, end: datetime
) -> list[ScheduledOverrideRule]:
    """Scheduled overrides overlapping `[start, end)` with their per-policy assignments."""
    raise NotImplementedError


def load_takes(
    session: Session,
    org_id: int,
    policy_ids: Iterable[int],
    start: datetime,
    end: datetime,
) -> list[TakeRule]:
    """Takes on the given policies overlapping `[start, end)`, oldest first."""
    raise NotImplementedError


def oncall_users_at(
    session: Session,
    org_id: int,
    group_id: int,
    at: datetime,
    *,
    policy_id: int | None = None,
) -> list[str]:
    """Who is on call in rotation group `group_id` at `at` (one per covering shift, deduped).

    With `policy_id`, that policy's scheduled-override assignments and takes are applied
    (what the engine pages). Unknown group (or another org's): NotFound.
    """
    raise NotImplementedError


def adjacent_users_at(
    session: Session,
    org_id: int,
    group_id: int,
    at: datetime,
    step: int,
) -> list[str]:
    """Next (`step=+1`) or previous (`step=-1`) person in each covering shift's rotation at
    `at`, for rotation_group_next / rotation_group_previous entries."""
    raise NotImplementedError


def policies_oncall(
    session: Session,
    org_id: int,
    policy_ids: Iterable[int],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[int, PolicyOnCall]:
    """Many policies at once, sharing the group/override/take loads (team schedules, on-call
    now for a whole org). Unknown ids are skipped; keys are the policies found."""
    raise NotImplementedError


def policy_oncall(
    session: Session,
    org_id: int,
    policy_id: int,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> PolicyOnCall:
    """One policy's on-call picture over `[start, end)`; NotFound if not in the org."""
    raise NotImplementedError
