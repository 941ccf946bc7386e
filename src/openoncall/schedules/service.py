"""Database → on-call calculator: load rotation rules, overrides and takes, answer who is on call.

The thin I/O layer over `openoncall.schedules.oncall` (pure). Every query filters by org_id.
Consumers: the policies/schedules/on-call-now APIs, the paging engine (who to page in a
rotation group, with the policy's overrides and takes applied), the UI and the iCal feed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from openoncall.errors import NotFound
from openoncall.overrides.models import OnCallTake, OverrideAssignment, ScheduledOverride
from openoncall.policies.models import (
    EscalationEntry,
    EscalationPolicy,
    EscalationStep,
    ExecutionType,
)
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.schedules.oncall import (
    GroupRules,
    OverrideInterval,
    PolicySpan,
    ScheduledOverrideRule,
    ShiftKind,
    ShiftRule,
    TakeRule,
    adjacent_members,
    group_spans,
    next_handoff,
    oncall_at,
    override_intervals,
    policy_spans,
    windows_from_masks,
)
from openoncall.users.models import User

# The keys a shift's stored `mask` column uses, as on the wire: a multi-day shift needs up to
# three masks (first day, middle days, last day).
MASK_KEYS = ("mask", "mask2", "mask3")
_INSTANT = timedelta(microseconds=1)
# A `user` entry is on call without end; its "current period" is reported this far ahead.
_USER_ENTRY_HORIZON = timedelta(days=370)


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
        found: list[str] = []
        for step in self.steps:
            if step_position is not None and step.position != step_position:
                continue
            for entry in step.entries:
                for span in entry.current:
                    if span.username not in found:
                        found.append(span.username)
        return found


def shift_kind(value: str) -> ShiftKind:
    """The stored/wire shift type; `fts` (an old spelling of 24/7) reads as `std`."""
    return ShiftKind.STANDARD if value == "fts" else ShiftKind(value)


def stored_masks(mask: dict[str, Any] | None) -> list[dict[str, Any] | None]:
    """The masks in a rotation_shift.mask column value, in mask, mask2, mask3 order."""
    mask = mask or {}
    return [mask.get(key) for key in MASK_KEYS]


def load_group_rules(
    session: Session,
    org_id: int,
    group_ids: Iterable[int] | None = None,
    *,
    team_id: int | None = None,
) -> dict[int, GroupRules]:
    """Rotation groups of the org (only `group_ids`, or only `team_id`'s, when given) with
    their shifts and members, as calculator inputs, keyed by group id."""
    query = select(RotationGroup).where(RotationGroup.org_id == org_id)
    if group_ids is not None:
        ids = set(group_ids)
        if not ids:
            return {}
        query = query.where(RotationGroup.id.in_(ids))
    if team_id is not None:
        query = query.where(RotationGroup.team_id == team_id)
    groups = list(session.scalars(query.order_by(RotationGroup.id)))
    if not groups:
        return {}
    by_group = [g.id for g in groups]
    shifts = list(
        session.scalars(
            select(RotationShift)
            .where(RotationShift.org_id == org_id, RotationShift.group_id.in_(by_group))
            .order_by(RotationShift.id)
        )
    )
    members: dict[int, list[str]] = defaultdict(list)
    if shifts:
        rows = session.execute(
            select(RotationMember.shift_id, User.username)
            .join(User, User.id == RotationMember.user_id)
            .where(
                RotationMember.org_id == org_id,
                RotationMember.shift_id.in_([s.id for s in shifts]),
            )
            .order_by(RotationMember.shift_id, RotationMember.position)
        )
        for shift_id, username in rows:
            members[shift_id].append(username)
    rules: dict[int, list[ShiftRule]] = defaultdict(list)
    for shift in shifts:
        kind = shift_kind(shift.shift_type)
        rules[shift.group_id].append(
            ShiftRule(
                shift_id=shift.id,
                group_id=shift.group_id,
                label=shift.label,
                kind=kind,
                timezone=shift.timezone,
                anchor=shift.start_at,
                handoff_days=shift.handoff_days,
                members=tuple(members[shift.id]),
                member_offset=shift.member_offset,
                windows=()
                if kind is ShiftKind.STANDARD
                else windows_from_masks(stored_masks(shift.mask)),
            )
        )
    return {
        g.id: GroupRules(
            group_id=g.id,
            slug=g.slug,
            label=g.label,
            team_id=g.team_id,
            shifts=tuple(rules[g.id]),
        )
        for g in groups
    }


def load_overrides(
    session: Session,
    org_id: int,
    start: datetime,
    end: datetime,
    *,
    usernames: Collection[str] | None = None,
) -> list[ScheduledOverrideRule]:
    """Scheduled overrides overlapping `[start, end)` with their per-policy assignments.

    With `usernames`, only overrides covering those users: an override changes only the
    covered user's spans, so callers that know whose rotations they compute skip the rest
    of the organization's overrides (they dominated a team schedule in a large org).
    """
    query = (
        select(ScheduledOverride, User.username)
        .join(User, User.id == ScheduledOverride.user_id)
        .where(
            ScheduledOverride.org_id == org_id,
            ScheduledOverride.start_at < end,
            ScheduledOverride.end_at > start,
        )
        .order_by(ScheduledOverride.start_at, ScheduledOverride.id)
    )
    if usernames is not None:
        query = query.where(User.username.in_(sorted(set(usernames))))
    rows = session.execute(query).all()
    if not rows:
        return []
    assignee = aliased(User)
    assignments: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for override_id, policy_id, username in session.execute(
        select(OverrideAssignment.override_id, OverrideAssignment.policy_id, assignee.username)
        .outerjoin(assignee, assignee.id == OverrideAssignment.user_id)
        .where(
            OverrideAssignment.org_id == org_id,
            OverrideAssignment.override_id.in_([o.id for o, _ in rows]),
        )
        .order_by(OverrideAssignment.id)
    ):
        assignments[override_id].append((policy_id, username))
    return [
        ScheduledOverrideRule(
            override_id=override.id,
            public_id=override.public_id,
            username=username,
            start=override.start_at,
            end=override.end_at,
            assignments=tuple(assignments[override.id]),
        )
        for override, username in rows
    ]


def load_takes(
    session: Session,
    org_id: int,
    policy_ids: Iterable[int],
    start: datetime,
    end: datetime,
) -> list[TakeRule]:
    """Takes on the given policies overlapping `[start, end)`, oldest first."""
    ids = set(policy_ids)
    if not ids:
        return []
    from_user, to_user = aliased(User), aliased(User)
    rows = session.execute(
        select(OnCallTake, from_user.username, to_user.username)
        .join(from_user, from_user.id == OnCallTake.from_user_id)
        .join(to_user, to_user.id == OnCallTake.to_user_id)
        .where(
            OnCallTake.org_id == org_id,
            OnCallTake.policy_id.in_(ids),
            OnCallTake.start_at < end,
            OnCallTake.end_at > start,
        )
        .order_by(OnCallTake.created_at, OnCallTake.id)
    )
    return [
        TakeRule(
            take_id=take.id,
            policy_id=take.policy_id,
            from_user=from_name,
            to_user=to_name,
            start=take.start_at,
            end=take.end_at,
        )
        for take, from_name, to_name in rows
    ]


def _group(session: Session, org_id: int, group_id: int) -> GroupRules:
    group = load_group_rules(session, org_id, [group_id]).get(group_id)
    if group is None:
        raise NotFound(f"Rotation group {group_id} not found", field="rotationGroup")
    return group


def _dedup(names: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        if name not in found:
            found.append(name)
    return found


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
    spans = oncall_at(_group(session, org_id, group_id), at)
    if policy_id is None:
        return _dedup(s.username for s in spans)
    resolved = policy_spans(
        spans,
        policy_id=policy_id,
        overrides=load_overrides(session, org_id, at, at + _INSTANT),
        takes=load_takes(session, org_id, [policy_id], at, at + _INSTANT),
    )
    return _dedup(s.username for s in resolved if s.start <= at < s.end)


def adjacent_users_at(
    session: Session,
    org_id: int,
    group_id: int,
    at: datetime,
    step: int,
) -> list[str]:
    """Next (`step=+1`) or previous (`step=-1`) person in each covering shift's rotation at
    `at`, for rotation_group_next / rotation_group_previous entries."""
    return adjacent_members(_group(session, org_id, group_id), at, step)


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
    ids = set(policy_ids)
    if not ids:
        return {}
    policies = list(
        session.scalars(
            select(EscalationPolicy)
            .where(EscalationPolicy.org_id == org_id, EscalationPolicy.id.in_(ids))
            .order_by(EscalationPolicy.id)
        )
    )
    if not policies:
        return {}
    found_ids = [p.id for p in policies]
    steps = list(
        session.scalars(
            select(EscalationStep)
            .where(EscalationStep.org_id == org_id, EscalationStep.policy_id.in_(found_ids))
            .order_by(EscalationStep.policy_id, EscalationStep.position, EscalationStep.id)
        )
    )
    entries_by_step: dict[int, list[_EntryRow]] = defaultdict(list)
    if steps:
        target = aliased(EscalationPolicy)
        for entry, username, target_slug in session.execute(
            select(EscalationEntry, User.username, target.slug)
            .outerjoin(User, User.id == EscalationEntry.user_id)
            .outerjoin(target, target.id == EscalationEntry.target_policy_id)
            .where(
                EscalationEntry.org_id == org_id,
                EscalationEntry.step_id.in_([s.id for s in steps]),
            )
            .order_by(EscalationEntry.step_id, EscalationEntry.position, EscalationEntry.id)
        ):
            entries_by_step[entry.step_id].append(_EntryRow(entry, username, target_slug))
    group_ids = {
        row.entry.rotation_group_id
        for rows in entries_by_step.values()
        for row in rows
        if row.entry.rotation_group_id is not None
    }
    groups = load_group_rules(session, org_id, group_ids)
    window = {g: group_spans(group, start, end) for g, group in groups.items()}
    at_now = {g: oncall_at(group, now) for g, group in groups.items()}
    # Overrides and takes anywhere in the current periods matter too: they end a period
    # early (a take lasts until the taken person's current period ends).
    current = [span for spans in at_now.values() for span in spans]
    lo = min([start, now, *(s.start for s in current)])
    hi = max([end, now + _INSTANT, *(s.end for s in current)])
    members = {name for group in groups.values() for rule in group.shifts for name in rule.members}
    members |= {row.username for rows in entries_by_step.values() for row in rows if row.username}
    overrides = load_overrides(session, org_id, lo, hi, usernames=members)
    takes = load_takes(session, org_id, found_ids, lo, hi)
    shifts = {rule.shift_id: rule for group in groups.values() for rule in group.shifts}
    next_rolls = {shift_id: next_handoff(rule, now) for shift_id, rule in shifts.items()}
    steps_by_policy: dict[int, list[EscalationStep]] = defaultdict(list)
    for step in steps:
        steps_by_policy[step.policy_id].append(step)
    result: dict[int, PolicyOnCall] = {}
    for policy in policies:
        ctx = _PolicyContext(
            policy_id=policy.id,
            start=start,
            end=end,
            now=now,
            groups=groups,
            window=window,
            at_now=at_now,
            overrides=overrides,
            takes=[t for t in takes if t.policy_id == policy.id],
        )
        built_steps = tuple(
            StepOnCall(
                position=step.position,
                timeout_minutes=step.timeout_minutes,
                entries=tuple(ctx.entry(row) for row in entries_by_step[step.id]),
            )
            for step in steps_by_policy[policy.id]
        )
        all_spans = [span for step in built_steps for e in step.entries for span in e.spans]
        used_shifts = {
            rule.shift_id: rule
            for step in built_steps
            for e in step.entries
            if e.group is not None
            for rule in e.group.shifts
        }
        result[policy.id] = PolicyOnCall(
            policy_id=policy.id,
            policy_slug=policy.slug,
            policy_name=policy.name,
            team_id=policy.team_id,
            start=start,
            end=end,
            now=now,
            steps=built_steps,
            overrides=tuple(_unique_intervals(override_intervals(all_spans, policy.id))),
            shifts=used_shifts,
            next_rolls={shift_id: next_rolls[shift_id] for shift_id in used_shifts},
        )
    return result


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
    found = policies_oncall(session, org_id, [policy_id], start=start, end=end, now=now)
    if policy_id not in found:
        raise NotFound(f"Policy {policy_id} not found", field="policy")
    return found[policy_id]


@dataclass(frozen=True, slots=True)
class _EntryRow:
    entry: EscalationEntry
    username: str | None
    target_policy_slug: str | None


@dataclass(frozen=True, slots=True)
class _PolicyContext:
    """Shared loads for building one policy's entries."""

    policy_id: int
    start: datetime
    end: datetime
    now: datetime
    groups: dict[int, GroupRules]
    window: dict[int, list[Any]]
    at_now: dict[int, list[Any]]
    overrides: Sequence[ScheduledOverrideRule]
    takes: Sequence[TakeRule]

    def resolve(self, spans: Sequence[Any]) -> tuple[PolicySpan, ...]:
        return tuple(
            policy_spans(
                spans, policy_id=self.policy_id, overrides=self.overrides, takes=self.takes
            )
        )

    def current(self, spans: Sequence[Any]) -> tuple[PolicySpan, ...]:
        return tuple(s for s in self.resolve(spans) if s.start <= self.now < s.end)

    def entry(self, row: _EntryRow) -> EntryOnCall:
        entry = row.entry
        kind = entry.execution_type
        base = EntryOnCall(
            position=entry.position,
            execution_type=kind,
            username=row.username,
            email=entry.email,
            webhook_slug=entry.webhook_slug,
            target_policy_slug=row.target_policy_slug,
        )
        if entry.rotation_group_id is not None:
            group = self.groups.get(entry.rotation_group_id)
            if group is None:
                return base
            if kind == ExecutionType.ROTATION_GROUP:
                return replace(
                    base,
                    group=group,
                    spans=self.resolve(self.window[group.group_id]),
                    current=self.current(self.at_now[group.group_id]),
                )
            step = 1 if kind == ExecutionType.ROTATION_GROUP_NEXT else -1
            return replace(
                base, group=group, adjacent=tuple(adjacent_members(group, self.now, step))
            )
        if kind == ExecutionType.USER and row.username is not None:
            always = PolicySpan(
                start=self.start,
                end=self.end,
                username=row.username,
                scheduled_username=row.username,
                shift_id=None,
                group_id=None,
                is_roll=False,
            )
            now_span = PolicySpan(
                start=self.now,
                end=self.now + _USER_ENTRY_HORIZON,
                username=row.username,
                scheduled_username=row.username,
                shift_id=None,
                group_id=None,
                is_roll=False,
            )
            return replace(
                base,
                spans=self.resolve([always]) if self.start < self.end else (),
                current=self.current([now_span]),
            )
        return base


def _unique_intervals(intervals: list[OverrideInterval]) -> list[OverrideInterval]:
    """Two entries over the same rotation report the same override once."""
    seen: set[OverrideInterval] = set()
    unique: list[OverrideInterval] = []
    for interval in intervals:
        if interval not in seen:
            seen.add(interval)
            unique.append(interval)
    return unique
