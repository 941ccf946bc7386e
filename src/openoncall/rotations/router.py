"""Rotation endpoints (NOTES (a2); provisional, client-derived shapes).

`/api-public/v1/teams/{team}/rotations…` (note the plural `teams`) and the v2 list at
`/api-public/v2/team/{team}/rotations`. Team-scoped: a team of another organization is 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Body, Path

from openoncall.api.paging import PageDep
from openoncall.api.wire import epoch_ms, iso_z
from openoncall.audit.actor import audit_actor
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.rotations import service
from openoncall.rotations.schemas import (
    PeriodV1,
    PeriodV2,
    RotationCreate,
    RotationGroupItem,
    RotationGroupList,
    RotationGroupV1,
    RotationListV2,
    RotationV2,
    ScheduledUser,
    SetScheduled,
    ShiftMemberOut,
    ShiftV1,
    ShiftV2,
)
from openoncall.schedules.oncall import Period, ShiftKind
from openoncall.storable import MAX_DB_INT, MIN_DB_INT
from openoncall.timeutil import get_zone
from openoncall.users.models import User
from openoncall.users.schemas import Empty

router = public_router(tags=["Rotations"])

V1 = "/api-public/v1/teams/{team}/rotations"
V2 = "/api-public/v2/team/{team}/rotations"
GroupId = Annotated[int, Path(alias="groupId", ge=MIN_DB_INT, le=MAX_DB_INT)]
ShiftId = Annotated[int, Path(alias="shiftId", ge=MIN_DB_INT, le=MAX_DB_INT)]


def _iso(at: datetime, zone_name: str) -> str:
    return at.astimezone(get_zone(zone_name)).isoformat(timespec="seconds")


def _period_v1(view: service.ShiftView, period: Period | None) -> PeriodV1 | None:
    if period is None:
        return None
    return PeriodV1(
        start=epoch_ms(period.start),
        end=epoch_ms(period.end),
        username=period.username,
        is_roll=True,
        member_slug=view.member_slug_at(period.position),
    )


def _period_v2(view: service.ShiftView, period: Period | None) -> PeriodV2 | None:
    if period is None:
        return None
    zone = view.shift.timezone
    return PeriodV2(
        start=_iso(period.start, zone),
        end=_iso(period.end, zone),
        username=period.username,
        is_roll=True,
        member_slug=view.member_slug_at(period.position),
    )


def _members(view: service.ShiftView) -> list[ShiftMemberOut]:
    return [ShiftMemberOut(slug=m.slug, username=m.user.username) for m in view.members]


def _shift_v1(view: service.ShiftView) -> ShiftV1:
    mask, mask2, mask3 = view.masks()
    periods = [p for p in (_period_v1(view, x) for x in view.periods) if p is not None]
    return ShiftV1(
        rot_id=view.shift.id,
        group_id=view.shift.group_id,
        label=view.shift.label,
        timezone=view.shift.timezone,
        start=epoch_ms(view.shift.start_at),
        duration=view.shift.handoff_days,
        shift_type=view.shift.shift_type,
        mask=mask,
        mask2=mask2,
        mask3=mask3,
        periods=periods,
        oncall=view.current.username if view.current else None,
        current=_period_v1(view, view.current),
        next=_period_v1(view, view.next),
        shift_members=_members(view),
    )


def _every_time(on: bool) -> dict[str, Any]:
    """A mask of every day (or of none) at 00:00-00:00, i.e. all day."""
    midnight = {"hour": 0, "minute": 0}
    return {
        "day": dict.fromkeys(("su", "m", "t", "w", "th", "f", "sa"), on),
        "time": [{"start": dict(midnight), "end": dict(midnight)}],
    }


def _shift_v2(view: service.ShiftView) -> ShiftV2:
    mask, mask2, mask3 = view.masks()
    if mask is None:
        # Clients expect a mask on every shift: a 24/7 (std) shift is on all day every day;
        # a masked shift whose first mask is unused adds nothing through it.
        mask = _every_time(view.shift.shift_type == ShiftKind.STANDARD)
    periods = [p for p in (_period_v2(view, x) for x in view.periods) if p is not None]
    return ShiftV2(
        shift_id=view.shift.id,
        label=view.shift.label,
        timezone=view.shift.timezone,
        start=iso_z(view.shift.start_at),
        duration=view.shift.handoff_days,
        shift_type=view.shift.shift_type,
        mask=mask,
        mask2=mask2,
        mask3=mask3,
        current=_period_v2(view, view.current),
        next=_period_v2(view, view.next),
        periods=periods,
        shift_members=_members(view),
    )


def _scheduled(user: User) -> ScheduledUser:
    return ScheduledUser(
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=user.display_name,
        version=0,  # users carry no version; the field is read by clients, so it is present
        verified=user.is_verified,
    )


@router.get(V1, response_model=RotationGroupList)
def list_rotations(
    session: DbSession, caller: CallerDep, team: str, page: PageDep
) -> RotationGroupList:
    """Get a list of all rotation groups for a team."""
    found, groups = service.list_groups(session, caller.org_id, team)
    return RotationGroupList(
        rotation_groups=[
            RotationGroupItem(group_id=g.id, team_slug=found.slug, slug=g.slug, label=g.label)
            for g in page.of(groups)
        ]
    )


@router.post(V1, response_model=RotationGroupV1)
def create_rotation(
    session: DbSession,
    caller: CallerDep,
    now: Now,
    team: str,
    body: Annotated[RotationCreate, Body()],
) -> RotationGroupV1:
    """Create a rotation group with its shifts (provisional; NOTES (a2))."""
    specs = [
        service.ShiftSpec(
            label=s.label,
            timezone=s.timezone,
            start=s.start,
            duration=s.duration,
            shift_type=s.shift_type,
            masks=(s.mask, s.mask2, s.mask3),
            usernames=s.usernames if s.usernames is not None else s.shift_members,
        )
        for s in body.shifts
    ]
    group = service.create_group(
        session,
        caller.org_id,
        team,
        label=body.label,
        shifts=specs,
        actor=audit_actor(session, caller),
        now=now,
    )
    found, _ = service.list_groups(session, caller.org_id, team)
    view = service.describe_groups(session, caller.org_id, found, [group], now=now)[0]
    return RotationGroupV1(
        orgslug=caller.org_slug,
        teamslug=found.slug,
        id=group.id,
        slug=group.slug,
        label=group.label,
        shifts=[_shift_v1(s) for s in view.shifts],
    )


@router.delete(f"{V1}/{{groupId}}", response_model=Empty)
def delete_rotation(
    session: DbSession, caller: CallerDep, now: Now, team: str, group_id: GroupId
) -> Empty:
    """Delete a rotation group (refused while an escalation policy pages it)."""
    service.delete_group(
        session, caller.org_id, team, group_id, actor=audit_actor(session, caller), now=now
    )
    return Empty()


@router.get(f"{V1}/{{groupId}}/{{shiftId}}/scheduled", response_model=ScheduledUser)
def get_scheduled_user(
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    team: str,
    group_id: GroupId,
    shift_id: ShiftId,
) -> ScheduledUser:
    """Get the scheduled user for a shift (the rotation's, before overrides and takes)."""
    return _scheduled(
        service.get_scheduled(session, caller.org_id, team, group_id, shift_id, now=now)
    )


@router.put(f"{V1}/{{groupId}}/{{shiftId}}/scheduled", response_model=ScheduledUser)
def set_scheduled_user(
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    team: str,
    group_id: GroupId,
    shift_id: ShiftId,
    body: Annotated[SetScheduled, Body()],
) -> ScheduledUser:
    """Set the scheduled user for a shift: they are on call from now, and the rotation
    continues in order from them."""
    user = service.set_scheduled(
        session,
        caller.org_id,
        team,
        group_id,
        shift_id,
        username=body.username,
        position=body.position,
        member_slug_in=body.member_slug,
        actor=audit_actor(session, caller),
        now=now,
    )
    return _scheduled(user)


@router.get(V2, response_model=RotationListV2)
def list_rotations_v2(
    session: DbSession, caller: CallerDep, now: Now, team: str, page: PageDep
) -> RotationListV2:
    """All rotations of a team with shifts, members and upcoming periods."""
    found, groups = service.list_groups(session, caller.org_id, team)
    views = service.describe_groups(session, caller.org_id, found, page.of(groups), now=now)
    return RotationListV2(
        rotations=[
            RotationV2(
                group_id=v.group.id,
                slug=v.group.slug,
                label=v.group.label,
                total_members_in_rotation=v.total_members,
                shifts=[_shift_v2(s) for s in v.shifts],
            )
            for v in views
        ]
    )
