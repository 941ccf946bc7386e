"""Use cases for rotation groups and shifts: list, create, delete, get/set the scheduled user.

Input comes in VictorOps shapes (NOTES (a2)): `start` as epoch milliseconds or an ISO-8601
date, `duration` in days, `shifttype` std|fts|pho|cstm, masks `{day:{…}, time:[…]}`. Every
bad value is an OnCallError naming its field, raised before anything is written. Every
change is recorded in the audit trail. Services never commit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openoncall.audit.service import record_audit
from openoncall.errors import InvalidInput, NotFound, Unprocessable
from openoncall.ids import new_slug
from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.schedules.oncall import (
    Period,
    ShiftKind,
    ShiftRule,
    offset_for,
    scheduled_position,
    shift_periods,
    windows_from_masks,
)
from openoncall.schedules.service import MASK_KEYS, load_group_rules, shift_kind, stored_masks
from openoncall.teams.models import Team
from openoncall.teams.service import get_team
from openoncall.timeutil import MASK_DAY_KEYS, TimeOfDay, get_zone, naive_local_to_utc
from openoncall.users.models import User
from openoncall.users.service import normalize_username

DEFAULT_HANDOFF_DAYS = 7
MAX_HANDOFF_DAYS = 366
MAX_LABEL = 255
MAX_SHIFTS = 50
MAX_MEMBERS = 200
# How far ahead a shift's `periods` list reaches (the schedules' default daysForward).
PERIODS_AHEAD = timedelta(days=14)
_MASK_DAY_ORDER = ("su", "m", "t", "w", "th", "f", "sa")
# Epoch-millisecond bounds accepted for `start`: years 1970 to 9999 (then 1970-2200 for any
# form: schedule arithmetic centuries ahead would overflow datetime, and nobody needs it).
_MAX_EPOCH_MS = 253402300799999
_EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST_START = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ShiftSpec:
    """A shift as the client sent it; every field is checked by `create_group`."""

    label: Any = None
    timezone: Any = None
    start: Any = None
    duration: Any = None
    shift_type: Any = None
    masks: tuple[Any, Any, Any] = (None, None, None)
    usernames: Any = None


@dataclass(frozen=True, slots=True)
class MemberView:
    member: RotationMember
    user: User

    @property
    def slug(self) -> str:
        return member_slug(self.member.id)


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift with its members and its periods from `now` on."""

    shift: RotationShift
    rule: ShiftRule
    members: list[MemberView]
    periods: list[Period]
    current: Period | None
    next: Period | None

    def member_slug_at(self, position: int) -> str:
        return self.members[position].slug

    def masks(self) -> list[dict[str, Any] | None]:
        return stored_masks(self.shift.mask)


@dataclass(frozen=True, slots=True)
class GroupView:
    group: RotationGroup
    team: Team
    shifts: list[ShiftView]

    @property
    def total_members(self) -> int:
        return len({m.user.id for s in self.shifts for m in s.members})


def member_slug(member_id: int) -> str:
    """A rotation member's public id (`memberSlug`), stable for the membership's life."""
    return f"rtm-{member_id}"


# --- reads ---------------------------------------------------------------------------------


def list_groups(session: Session, org_id: int, team_slug: str) -> tuple[Team, list[RotationGroup]]:
    team = get_team(session, org_id, team_slug)
    groups = session.scalars(
        select(RotationGroup)
        .where(RotationGroup.org_id == org_id, RotationGroup.team_id == team.id)
        .order_by(RotationGroup.id)
    )
    return team, list(groups)


def describe_groups(
    session: Session, org_id: int, team: Team, groups: list[RotationGroup], *, now: datetime
) -> list[GroupView]:
    """Groups with shifts, members, and each shift's periods over the next two weeks."""
    if not groups:
        return []
    rules = load_group_rules(session, org_id, [g.id for g in groups])
    shifts = list(
        session.scalars(
            select(RotationShift)
            .where(
                RotationShift.org_id == org_id,
                RotationShift.group_id.in_([g.id for g in groups]),
            )
            .order_by(RotationShift.id)
        )
    )
    members: dict[int, list[MemberView]] = defaultdict(list)
    if shifts:
        rows = session.execute(
            select(RotationMember, User)
            .join(User, User.id == RotationMember.user_id)
            .where(
                RotationMember.org_id == org_id,
                RotationMember.shift_id.in_([s.id for s in shifts]),
            )
            .order_by(RotationMember.shift_id, RotationMember.position)
        )
        for member, user in rows:
            members[member.shift_id].append(MemberView(member, user))
    by_group: dict[int, list[ShiftView]] = defaultdict(list)
    for shift in shifts:
        rule = next(r for r in rules[shift.group_id].shifts if r.shift_id == shift.id)
        periods = shift_periods(rule, now, now + PERIODS_AHEAD)
        current = next((p for p in periods if p.start <= now < p.end), None)
        upcoming = next((p for p in periods if p.start > now), None)
        by_group[shift.group_id].append(
            ShiftView(shift, rule, members[shift.id], periods, current, upcoming)
        )
    return [GroupView(g, team, by_group[g.id]) for g in groups]


def _group_in_team(session: Session, org_id: int, team: Team, group_id: int) -> RotationGroup:
    group = session.scalar(
        select(RotationGroup).where(
            RotationGroup.org_id == org_id,
            RotationGroup.team_id == team.id,
            RotationGroup.id == group_id,
        )
    )
    if group is None:
        raise NotFound("Rotation group not found", field="groupId")
    return group


def _shift_view(
    session: Session, org_id: int, team_slug: str, group_id: int, *, shift_id: int, now: datetime
) -> ShiftView:
    team = get_team(session, org_id, team_slug)
    group = _group_in_team(session, org_id, team, group_id)
    view = describe_groups(session, org_id, team, [group], now=now)[0]
    for shift in view.shifts:
        if shift.shift.id == shift_id:
            return shift
    raise NotFound("Shift not found", field="shiftId")


def get_scheduled(
    session: Session, org_id: int, team_slug: str, group_id: int, shift_id: int, *, now: datetime
) -> User:
    """The shift's scheduled member now (its rotation, before overrides and takes)."""
    view = _shift_view(session, org_id, team_slug, group_id, shift_id=shift_id, now=now)
    position = scheduled_position(view.rule, now)
    if position is None:
        raise NotFound("The shift has no members", field="shiftId")
    return view.members[position].user


# --- writes --------------------------------------------------------------------------------


def create_group(
    session: Session,
    org_id: int,
    team_slug: str,
    *,
    label: Any,
    shifts: list[ShiftSpec],
    actor: str,
    now: datetime,
) -> RotationGroup:
    """Validate everything first, then write the group, its shifts and their members."""
    team = get_team(session, org_id, team_slug)
    group_label = _label(label, "label", required=True)
    if len(shifts) > MAX_SHIFTS:
        raise InvalidInput(f"At most {MAX_SHIFTS} shifts per rotation group", field="shifts")
    checked = [_check_shift(session, org_id, i, spec, now) for i, spec in enumerate(shifts)]
    group = RotationGroup(
        org_id=org_id,
        team_id=team.id,
        slug=new_slug("rtg"),
        label=group_label,
        created_at=now,
    )
    session.add(group)
    session.flush()
    for shift in checked:
        row = RotationShift(
            org_id=org_id,
            group_id=group.id,
            label=shift.label,
            timezone=shift.timezone,
            shift_type=shift.kind.value,
            start_at=shift.start,
            handoff_days=shift.handoff_days,
            mask=shift.masks,
            member_offset=0,
            created_at=now,
        )
        session.add(row)
        session.flush()
        for position, user in enumerate(shift.users):
            session.add(
                RotationMember(org_id=org_id, shift_id=row.id, user_id=user.id, position=position)
            )
    session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="rotation.create",
        subject_type="rotation_group",
        subject_id=group.slug,
        detail={
            "team": team.slug,
            "label": group.label,
            "shifts": [
                {
                    "label": s.label,
                    "timezone": s.timezone,
                    "shifttype": s.kind.value,
                    "start": s.start.isoformat(),
                    "duration": s.handoff_days,
                    "usernames": [u.username for u in s.users],
                }
                for s in checked
            ],
        },
        now=now,
    )
    return group


def delete_group(
    session: Session, org_id: int, team_slug: str, group_id: int, *, actor: str, now: datetime
) -> None:
    """Delete a rotation group; refused while an escalation policy pages it, because deleting
    it would silently drop who that policy pages (policies are immutable through the API:
    delete the policy first)."""
    team = get_team(session, org_id, team_slug)
    group = _group_in_team(session, org_id, team, group_id)
    users = session.scalars(
        select(EscalationPolicy.slug)
        .join(EscalationStep, EscalationStep.policy_id == EscalationPolicy.id)
        .join(EscalationEntry, EscalationEntry.step_id == EscalationStep.id)
        .where(EscalationEntry.org_id == org_id, EscalationEntry.rotation_group_id == group.id)
        .distinct()
        .order_by(EscalationPolicy.slug)
    ).all()
    if users:
        raise Unprocessable(
            f"Rotation group {group.slug} is used by escalation policy {', '.join(users)}; "
            "delete the policy first",
            field="groupId",
        )
    shift_ids = select(RotationShift.id).where(
        RotationShift.org_id == org_id, RotationShift.group_id == group.id
    )
    # Explicit deletes (not only FK cascades): SQLite enforces ON DELETE only with a pragma.
    session.execute(
        delete(RotationMember).where(
            RotationMember.org_id == org_id, RotationMember.shift_id.in_(shift_ids)
        )
    )
    session.execute(
        delete(RotationShift).where(
            RotationShift.org_id == org_id, RotationShift.group_id == group.id
        )
    )
    record_audit(
        session,
        org_id,
        actor=actor,
        action="rotation.delete",
        subject_type="rotation_group",
        subject_id=group.slug,
        detail={"team": team.slug, "label": group.label, "groupId": group.id},
        now=now,
    )
    session.delete(group)
    session.flush()


def set_scheduled(
    session: Session,
    org_id: int,
    team_slug: str,
    group_id: int,
    shift_id: int,
    *,
    username: Any,
    position: Any = None,
    member_slug_in: Any = None,
    actor: str,
    now: datetime,
) -> User:
    """Make `username` the shift's scheduled member now by turning the rotation (its member
    offset): later handoffs continue in member order from them."""
    view = _shift_view(session, org_id, team_slug, group_id, shift_id=shift_id, now=now)
    if not isinstance(username, str) or not username.strip():
        raise InvalidInput("username is required", field="username")
    name = normalize_username(username)
    if session.scalar(select(User.id).where(User.org_id == org_id, User.username == name)) is None:
        raise NotFound(f"User not found: {name}", field="username")
    candidates = [i for i, m in enumerate(view.members) if m.user.username == name]
    if not candidates:
        raise InvalidInput(f"{name} is not a member of this shift", field="username")
    target = candidates[0]
    if member_slug_in is not None:
        matching = [i for i in candidates if view.members[i].slug == member_slug_in]
        if not matching:
            raise InvalidInput(
                f"memberSlug {member_slug_in!r} is not {name} in this shift", field="memberSlug"
            )
        target = matching[0]
    elif position is not None:
        if isinstance(position, bool) or not isinstance(position, int):
            raise InvalidInput("position must be an integer", field="position")
        if position not in candidates:
            raise InvalidInput(f"position {position} is not {name} in this shift", field="position")
        target = position
    before = scheduled_position(view.rule, now)
    shift = view.shift
    shift.member_offset = offset_for(view.rule, now, target)
    record_audit(
        session,
        org_id,
        actor=actor,
        action="rotation.set_scheduled",
        subject_type="rotation_shift",
        subject_id=str(shift.id),
        detail={
            "group": shift.group_id,
            "username": name,
            "position": target,
            "previous": view.members[before].user.username if before is not None else None,
        },
        now=now,
    )
    session.flush()
    return view.members[target].user


# --- validation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CheckedShift:
    label: str
    timezone: str
    kind: ShiftKind
    start: datetime
    handoff_days: int
    masks: dict[str, Any]
    users: list[User]


def _label(value: Any, field: str, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput(f"{field} is required and must be a non-empty string", field=field)
    text: str = value.strip()
    if len(text) > MAX_LABEL:
        raise InvalidInput(f"{field} is longer than {MAX_LABEL} characters", field=field)
    return text


def _check_shift(
    session: Session, org_id: int, index: int, spec: ShiftSpec, now: datetime
) -> _CheckedShift:
    where = f"shift {index}"
    label = _label(spec.label, "label", required=False) or f"Shift {index + 1}"
    if not isinstance(spec.timezone, str) or not spec.timezone:
        raise InvalidInput(f"{where}: timezone is required", field="timezone")
    try:
        zone = get_zone(spec.timezone)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}", field="timezone") from exc
    kind = _kind(spec.shift_type, where)
    start = _start(spec.start, zone, now, where)
    duration = _duration(spec.duration, where)
    masks: dict[str, Any] = {}
    if kind is not ShiftKind.STANDARD:
        masks = _masks(spec.masks, kind, where)
    users = _members(session, org_id, spec.usernames, where)
    return _CheckedShift(label, spec.timezone, kind, start, duration, masks, users)


def _kind(value: Any, where: str) -> ShiftKind:
    if value is None:
        return ShiftKind.STANDARD
    if isinstance(value, str):
        try:
            return shift_kind(value.strip().lower())
        except ValueError:
            pass
    raise InvalidInput(f"{where}: shifttype must be std, fts, pho or cstm", field="shifttype")


def _start(value: Any, zone: Any, now: datetime, where: str) -> datetime:
    """Epoch ms (number or digit string) or ISO-8601; a date or a time without offset is
    local to the shift's zone. Absent: now. Seconds are dropped: handoffs are per minute."""
    if value is None:
        at = now
    elif isinstance(value, bool):
        raise InvalidInput(f"{where}: start must be epoch ms or an ISO date", field="start")
    elif isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        ms = float(value)
        if not math.isfinite(ms) or not 0 <= ms <= _MAX_EPOCH_MS:
            raise InvalidInput(f"{where}: start is out of range", field="start")
        at = datetime.fromtimestamp(ms / 1000, tz=UTC)
    elif isinstance(value, str):
        at = _parse_iso(value.strip(), zone, where)
    else:
        raise InvalidInput(f"{where}: start must be epoch ms or an ISO date", field="start")
    at = at.astimezone(UTC).replace(second=0, microsecond=0)
    if not _EARLIEST_START <= at < _LATEST_START:
        raise InvalidInput(f"{where}: start must be between 1970 and 2200", field="start")
    return at


def _parse_iso(text: str, zone: Any, where: str) -> datetime:
    try:
        if len(text) == len("2026-01-05"):
            day = date.fromisoformat(text)
            parsed = datetime(day.year, day.month, day.day)  # noqa: DTZ001  (local wall time)
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"{where}: start {text!r} is not epoch ms or an ISO-8601 date", field="start"
        ) from exc
    try:
        if parsed.tzinfo is None:
            return naive_local_to_utc(parsed, zone)
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+14:00
        raise InvalidInput(f"{where}: start must be between 1970 and 2200", field="start") from exc


def _duration(value: Any, where: str) -> int:
    if value is None:
        return DEFAULT_HANDOFF_DAYS
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{where}: duration must be a whole number of days", field="duration")
    if not 1 <= value <= MAX_HANDOFF_DAYS:
        raise InvalidInput(
            f"{where}: duration must be between 1 and {MAX_HANDOFF_DAYS} days", field="duration"
        )
    return value


def _masks(raw: tuple[Any, Any, Any], kind: ShiftKind, where: str) -> dict[str, Any]:
    """Validated and normalized masks: every day key present, times as {hour, minute}."""
    stored: dict[str, Any] = {}
    for key, mask in zip(MASK_KEYS, raw, strict=True):
        if mask is None:
            continue
        try:
            windows = windows_from_masks([mask])
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{where}: {key}: {exc}", field=key) from exc
        if windows:
            stored[key] = _normalized(mask)
    if not stored:
        what = "partial-day" if kind is ShiftKind.PARTIAL_DAY else "multi-day"
        raise InvalidInput(
            f"{where}: a {what} shift needs a mask with at least one day and time", field="mask"
        )
    return stored


def _normalized(mask: dict[str, Any]) -> dict[str, Any]:
    days = mask.get("day") or {}
    times = mask.get("time") or []
    out_times = []
    for item in times or [{"start": {"hour": 0}, "end": {"hour": 0}}]:
        start = _tod(item["start"])
        end = _tod(item["end"])
        out_times.append(
            {
                "start": {"hour": start.hour, "minute": start.minute},
                "end": {"hour": end.hour, "minute": end.minute},
            }
        )
    return {
        "day": {key: days.get(key) is True for key in _MASK_DAY_ORDER if key in MASK_DAY_KEYS},
        "time": out_times,
    }


def _tod(value: dict[str, Any]) -> TimeOfDay:
    hour, minute = value.get("hour", 0), value.get("minute", 0)
    return TimeOfDay(0 if (hour, minute) == (24, 0) else hour, minute)


def _members(session: Session, org_id: int, value: Any, where: str) -> list[User]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{where}: usernames must be a list", field="usernames")
    if len(value) > MAX_MEMBERS:
        raise InvalidInput(f"{where}: at most {MAX_MEMBERS} members", field="usernames")
    names: list[str] = []
    for item in value:
        # shiftMembers may carry {slug, username} objects, usernames plain strings.
        name = item.get("username") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}: usernames must be usernames", field="usernames")
        names.append(normalize_username(name))
    found = {
        u.username: u
        for u in session.scalars(
            select(User).where(User.org_id == org_id, User.username.in_(set(names)))
        )
    }
    for name in names:
        if name not in found:
            raise NotFound(f"User not found: {name}", field="usernames")
    return [found[name] for name in names]
