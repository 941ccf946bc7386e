"""On-call now (/api-public/v1/oncall/current) and team/user schedules, v1 and v2."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Query, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.api.conditional import conditional_json, entity_tag, not_modified, tagged
from openoncall.api.paging import PageDep
from openoncall.api.responses import json_response
from openoncall.api.wire import epoch_ms
from openoncall.auth.deps import CallerDep, DbSession, Now, get_container, public_router
from openoncall.overrides.service import get_user
from openoncall.policies.models import EscalationPolicy, ExecutionType
from openoncall.policies.service import get_team
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.schedules import cache
from openoncall.schedules import now as now_service
from openoncall.schedules.oncall import PolicySpan, override_intervals
from openoncall.schedules.schemas import (
    NameSlug,
    OnCallCurrent,
    OnCallEntry,
    OnCallOverride,
    OnCallRoll,
    PolicySchedule,
    PolicySummary,
    TeamSchedule,
    UserRef,
    UserSchedule,
    V1Override,
    V1Roll,
    V1ScheduleEntry,
    V1TeamSchedule,
    iso_in_zone,
    render_oncall_now,
)
from openoncall.schedules.service import EntryOnCall, PolicyOnCall, policies_oncall
from openoncall.schedules.views import scheduled_rolls
from openoncall.teams.models import Team, TeamMember
from openoncall.timeutil import get_zone

router = public_router(tags=["On-Call"])


DaysForward = Annotated[int, Query(alias="daysForward", ge=0, le=30)]
DaysSkip = Annotated[int, Query(alias="daysSkip", ge=0, le=90)]
Step = Annotated[int, Query(ge=0, le=3)]


# --- on-call now ------------------------------------------------------------------------------


@router.get(
    "/api-public/v1/oncall/current",
    response_model=None,
    responses={200: {"model": OnCallCurrent}},
)
def get_oncall_current(
    request: Request, session: DbSession, caller: CallerDep, page: PageDep
) -> Response:
    """Get an organization's on-call users (served from a cache until the next change)."""
    # The container and the clock are read here rather than injected: each sync dependency
    # is one more thread-pool hop, which is most of this cached answer's cost.
    container = get_container(request)
    now = container.clock.now()
    # The body is kept with its entity tag: hashing it once, not on every request.
    store: cache.OrgCache[tuple[bytes, str, now_service.OnCallNow]] = container.oncall_now
    version = cache.current_version(session, caller.org_id)
    kept = store.get(caller.org_id, version, now)
    if kept is None:
        with store.computing(caller.org_id):
            kept = store.get(caller.org_id, version, now)
            if kept is None:
                found = now_service.oncall_now(session, caller.org_id, now)
                body = render_oncall_now(found).model_dump_json(by_alias=True).encode()
                kept = (body, entity_tag(body), found)
                store.put(caller.org_id, version, now, found.valid_until, kept)
    body, tag, found = kept
    if not page.is_whole:
        teams = replace(found, teams=page.of(found.teams))
        return conditional_json(
            request, render_oncall_now(teams).model_dump_json(by_alias=True).encode()
        )
    return not_modified(request, tag) or tagged(json_response(body), tag)


_V1_LIST = TypeAdapter(list[V1TeamSchedule])


def _exclude_none(model: BaseModel) -> bytes:
    """As FastAPI sends it with `response_model_exclude_none=True`."""
    return model.model_dump_json(by_alias=True, exclude_none=True).encode()


# --- schedules: one neutral form, rendered as v2 or v1 ------------------------------------------


@dataclass(frozen=True, slots=True)
class _Roll:
    start: datetime
    end: datetime
    username: str
    is_roll: bool


@dataclass(frozen=True, slots=True)
class _Entry:
    on_call_type: str
    zone: ZoneInfo | None
    on_call_user: str | None = None
    override_user: str | None = None
    rotation_name: str | None = None
    shift_name: str | None = None
    shift_roll: datetime | None = None
    rolls: tuple[_Roll, ...] = ()


@dataclass(frozen=True, slots=True)
class _Override:
    start: datetime
    end: datetime
    original: str
    override: str
    zone: ZoneInfo | None


@dataclass(frozen=True, slots=True)
class _PolicySchedule:
    policy: EscalationPolicy
    entries: list[_Entry]
    overrides: list[_Override]


def _rotation_entries(entry: EntryOnCall, poc: PolicyOnCall) -> list[_Entry]:
    assert entry.group is not None
    found: list[_Entry] = []
    for shift in entry.group.shifts:
        zone = get_zone(shift.timezone)
        spans = [s for s in entry.spans if s.shift_id == shift.shift_id]
        now_span = next((s for s in entry.current if s.shift_id == shift.shift_id), None)
        found.append(
            _Entry(
                on_call_type=entry.execution_type,
                zone=zone,
                on_call_user=now_span.scheduled_username if now_span else None,
                override_user=(
                    now_span.username
                    if now_span and now_span.username != now_span.scheduled_username
                    else None
                ),
                rotation_name=entry.group.label,
                shift_name=shift.label,
                shift_roll=poc.next_rolls.get(shift.shift_id),
                rolls=tuple(
                    _Roll(r.start, r.end, r.username, r.is_roll) for r in scheduled_rolls(spans)
                ),
            )
        )
    return found


def _overrides(entry: EntryOnCall, policy_id: int) -> list[_Override]:
    assert entry.group is not None
    found: list[_Override] = []
    for shift in entry.group.shifts:
        spans: list[PolicySpan] = [s for s in entry.spans if s.shift_id == shift.shift_id]
        zone = get_zone(shift.timezone)
        found.extend(
            _Override(o.start, o.end, o.original_user, o.override_user, zone)
            for o in override_intervals(spans, policy_id)
        )
    return found


def _policy_schedule(policy: EscalationPolicy, poc: PolicyOnCall, step: int) -> _PolicySchedule:
    entries: list[_Entry] = []
    overrides: list[_Override] = []
    for s in poc.steps:
        if s.position != step:
            continue
        for entry in s.entries:
            kind = entry.execution_type
            if kind == ExecutionType.ROTATION_GROUP and entry.group is not None:
                entries.extend(_rotation_entries(entry, poc))
                overrides.extend(o for o in _overrides(entry, poc.policy_id) if o not in overrides)
            elif entry.group is not None:  # rotation_group_next / _previous
                entries.append(
                    _Entry(
                        on_call_type=kind,
                        zone=None,
                        on_call_user=entry.adjacent[0] if entry.adjacent else None,
                        rotation_name=entry.group.label,
                    )
                )
            else:
                # A user named in a step is paged, not on call (on call is rotation-derived,
                # as in /v1/oncall/current and take on-call): listed by type, like an email.
                entries.append(_Entry(on_call_type=kind, zone=None))
    return _PolicySchedule(policy, entries, overrides)


def _window(now: datetime, days_forward: int, days_skip: int) -> tuple[datetime, datetime]:
    start = now + timedelta(days=days_skip)
    return start, start + timedelta(days=days_forward)


def _team_schedules(
    session: Session,
    org_id: int,
    team_ids: list[int],
    *,
    now: datetime,
    days_forward: int,
    days_skip: int,
    step: int,
) -> list[tuple[Team, list[_PolicySchedule]]]:
    start, end = _window(now, days_forward, days_skip)
    teams = now_service.teams_with_policies(session, org_id, team_ids)
    ids = [p.id for _t, policies in teams for p in policies]
    pictures = policies_oncall(session, org_id, ids, start=start, end=end, now=now)
    return [
        (team, [_policy_schedule(p, pictures[p.id], step) for p in policies if p.id in pictures])
        for team, policies in teams
    ]


def _only_user(schedule: _PolicySchedule, username: str) -> _PolicySchedule | None:
    """The parts of a policy schedule that concern one user, or None when none do."""
    entries = []
    for entry in schedule.entries:
        rolls = tuple(r for r in entry.rolls if r.username == username)
        if rolls or username in (entry.on_call_user, entry.override_user):
            entries.append(replace(entry, rolls=rolls))
    overrides = [o for o in schedule.overrides if username in (o.original, o.override)]
    if not entries and not overrides:
        return None
    return _PolicySchedule(schedule.policy, entries, overrides)


def _user_team_ids(session: Session, org_id: int, user_id: int) -> list[int]:
    """Teams the user belongs to or is in a rotation of."""
    member_of = session.scalars(
        select(TeamMember.team_id).where(TeamMember.org_id == org_id, TeamMember.user_id == user_id)
    ).all()
    rotating_in = session.scalars(
        select(RotationGroup.team_id)
        .join(RotationShift, RotationShift.group_id == RotationGroup.id)
        .join(RotationMember, RotationMember.shift_id == RotationShift.id)
        .where(RotationMember.org_id == org_id, RotationMember.user_id == user_id)
    ).all()
    return sorted(set(member_of) | set(rotating_in))


# --- v2 rendering -------------------------------------------------------------------------------


def _v2_policy(schedule: _PolicySchedule) -> PolicySchedule:
    p = schedule.policy
    return PolicySchedule(
        policy=PolicySummary(
            name=p.name, slug=p.slug, self_url=f"/api-public/v1/policies/{p.slug}"
        ),
        schedule=[
            OnCallEntry(
                on_call_user=UserRef(username=e.on_call_user) if e.on_call_user else None,
                override_on_call_user=UserRef(username=e.override_user)
                if e.override_user
                else None,
                on_call_type=e.on_call_type,
                rotation_name=e.rotation_name,
                shift_name=e.shift_name,
                shift_roll=iso_in_zone(e.shift_roll, e.zone) if e.shift_roll else None,
                rolls=[
                    OnCallRoll(
                        start=iso_in_zone(r.start, e.zone),
                        end=iso_in_zone(r.end, e.zone),
                        on_call_user=UserRef(username=r.username),
                        is_roll=r.is_roll,
                    )
                    for r in e.rolls
                ],
            )
            for e in schedule.entries
        ],
        overrides=[
            OnCallOverride(
                orig_on_call_user=UserRef(username=o.original),
                override_on_call_user=UserRef(username=o.override),
                start=iso_in_zone(o.start, o.zone),
                end=iso_in_zone(o.end, o.zone),
            )
            for o in schedule.overrides
        ],
    )


def _v2_team(team: Team, schedules: list[_PolicySchedule]) -> TeamSchedule:
    return TeamSchedule(
        team=NameSlug(name=team.name, slug=team.slug), schedules=[_v2_policy(s) for s in schedules]
    )


# --- v1 rendering -------------------------------------------------------------------------------


def _v1_team(team: Team, schedules: list[_PolicySchedule]) -> V1TeamSchedule:
    return V1TeamSchedule(
        team=team.slug,
        schedule=[
            V1ScheduleEntry(
                oncall=e.on_call_user,
                overrideoncall=e.override_user,
                policy_type=e.on_call_type,
                rotation_name=e.rotation_name,
                shift_name=e.shift_name,
                shift_roll=epoch_ms(e.shift_roll) if e.shift_roll else None,
                rolls=[
                    V1Roll(
                        change=epoch_ms(r.start),
                        until=epoch_ms(r.end),
                        oncall=r.username,
                        is_roll=r.is_roll,
                    )
                    for r in e.rolls
                ],
            )
            for s in schedules
            for e in s.entries
        ],
        overrides=[
            V1Override(
                orig=o.original, over=o.override, start=epoch_ms(o.start), end=epoch_ms(o.end)
            )
            for s in schedules
            for o in s.overrides
        ],
    )


# --- endpoints ----------------------------------------------------------------------------------


@router.get(
    "/api-public/v2/team/{team}/oncall/schedule",
    response_model=TeamSchedule,
    response_model_exclude_none=True,
)
def get_team_schedule_v2(
    team: str,
    request: Request,
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    days_forward: DaysForward = 14,
    days_skip: DaysSkip = 0,
    step: Step = 0,
) -> Response:
    """Get a team's on-call schedule: rotations as scheduled, and the overrides on top."""
    row = get_team(session, caller.org_id, team)
    ((found, schedules),) = _team_schedules(
        session,
        caller.org_id,
        [row.id],
        now=now,
        days_forward=days_forward,
        days_skip=days_skip,
        step=step,
    )
    return conditional_json(request, _exclude_none(_v2_team(found, schedules)))


@router.get(
    "/api-public/v1/team/{team}/oncall/schedule",
    response_model=V1TeamSchedule,
    response_model_exclude_none=True,
    deprecated=True,
)
def get_team_schedule_v1(
    team: str,
    request: Request,
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    days_forward: DaysForward = 14,
    days_skip: DaysSkip = 0,
    step: Step = 0,
) -> Response:
    """Get a team's on-call schedule (deprecated; epoch milliseconds)."""
    row = get_team(session, caller.org_id, team)
    ((found, schedules),) = _team_schedules(
        session,
        caller.org_id,
        [row.id],
        now=now,
        days_forward=days_forward,
        days_skip=days_skip,
        step=step,
    )
    return conditional_json(request, _exclude_none(_v1_team(found, schedules)))


def _user_schedules(
    session: Session,
    org_id: int,
    username: str,
    *,
    now: datetime,
    days_forward: int,
    days_skip: int,
    step: int,
) -> list[tuple[Team, list[_PolicySchedule]]]:
    user = get_user(session, org_id, username, field="user")
    teams = _team_schedules(
        session,
        org_id,
        _user_team_ids(session, org_id, user.id),
        now=now,
        days_forward=days_forward,
        days_skip=days_skip,
        step=step,
    )
    result = []
    for team, schedules in teams:
        mine = [s for s in (_only_user(s, user.username) for s in schedules) if s is not None]
        result.append((team, mine))
    return result


@router.get(
    "/api-public/v2/user/{user}/oncall/schedule",
    response_model=UserSchedule,
    response_model_exclude_none=True,
)
def get_user_schedule_v2(
    user: str,
    request: Request,
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    days_forward: DaysForward = 14,
    days_skip: DaysSkip = 0,
    step: Step = 0,
) -> Response:
    """Get a user's on-call schedule across the teams they belong to or rotate in."""
    teams = _user_schedules(
        session,
        caller.org_id,
        user,
        now=now,
        days_forward=days_forward,
        days_skip=days_skip,
        step=step,
    )
    schedule = UserSchedule(team_schedules=[_v2_team(t, s) for t, s in teams])
    return conditional_json(request, _exclude_none(schedule))


@router.get(
    "/api-public/v1/user/{user}/oncall/schedule",
    response_model=list[V1TeamSchedule],
    response_model_exclude_none=True,
    deprecated=True,
)
def get_user_schedule_v1(
    user: str,
    request: Request,
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    days_forward: DaysForward = 14,
    days_skip: DaysSkip = 0,
    step: Step = 0,
) -> Response:
    """Get a user's on-call schedule (deprecated; an array of team schedules, epoch ms)."""
    teams = _user_schedules(
        session,
        caller.org_id,
        user,
        now=now,
        days_forward=days_forward,
        days_skip=days_skip,
        step=step,
    )
    body = _V1_LIST.dump_json([_v1_team(t, s) for t, s in teams], by_alias=True, exclude_none=True)
    return conditional_json(request, body)
