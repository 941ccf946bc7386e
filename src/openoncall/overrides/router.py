"""Scheduled overrides (/api-public/v1/overrides…) and Take On-Call (PATCH …/oncall/user)."""

from __future__ import annotations

from openoncall.api.paging import PageDep
from openoncall.audit.actor import audit_actor
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.overrides import service
from openoncall.overrides.schemas import (
    Assignment,
    OverrideCreated,
    OverrideList,
    OverrideRead,
    ScheduledOverride,
    ScheduledOverridePayload,
    ScheduledUser,
    TakeRequest,
    TakeResult,
    UpdateAssignment,
)
from openoncall.schedules.schemas import iso_in_zone
from openoncall.timeutil import get_zone

router = public_router(tags=["Scheduled Overrides"])

OVERRIDES = "/api-public/v1/overrides"
ASSIGNMENT = f"{OVERRIDES}/{{publicId}}/assignments/{{policySlug}}"


def _assignment(public_id: str, view: service.AssignmentView) -> Assignment:
    return Assignment(
        self_url=f"{OVERRIDES}/{public_id}/assignments/{view.policy_slug}",
        team=view.team_slug,
        policy=view.policy_slug,
        assigned=view.username is not None,
        user=view.username,
    )


def _override(view: service.OverrideView) -> ScheduledOverride:
    row, user = view.override, view.user
    zone = get_zone(row.timezone)
    return ScheduledOverride(
        public_id=row.public_id,
        user=ScheduledUser(
            username=user.username, first_name=user.first_name, last_name=user.last_name
        ),
        timezone=row.timezone,
        start=iso_in_zone(row.start_at, zone),
        end=iso_in_zone(row.end_at, zone),
        assignments=[_assignment(row.public_id, a) for a in view.assignments],
    )


@router.get(OVERRIDES, response_model=OverrideList)
def list_overrides(session: DbSession, caller: CallerDep, now: Now, page: PageDep) -> OverrideList:
    """List the scheduled overrides that have not ended yet."""
    views = page.of(service.list_overrides(session, caller.org_id, now=now))
    return OverrideList(self_url=OVERRIDES, overrides=[_override(v) for v in views])


@router.post(OVERRIDES, response_model=OverrideCreated)
def create_override(
    body: ScheduledOverridePayload, session: DbSession, caller: CallerDep, now: Now
) -> OverrideCreated:
    """Create a scheduled override, with one unassigned assignment per affected policy."""
    view = service.create_override(
        session,
        caller.org_id,
        username=body.username,
        timezone=body.timezone,
        start=body.start,
        end=body.end,
        actor=audit_actor(session, caller),
        by=None,  # API keys act for the whole organization (docs/roles.md)
        now=now,
    )
    return OverrideCreated(
        self_url=f"{OVERRIDES}/{view.override.public_id}", schedule=_override(view)
    )


@router.get(f"{OVERRIDES}/{{publicId}}", response_model=OverrideRead)
def get_override(publicId: str, session: DbSession, caller: CallerDep) -> OverrideRead:  # noqa: N803
    """Get the specified scheduled override."""
    row = service.find_override(session, caller.org_id, publicId)
    view = service.describe_override(session, caller.org_id, row)
    return OverrideRead(self_url=f"{OVERRIDES}/{publicId}", override=_override(view))


@router.delete(f"{OVERRIDES}/{{publicId}}")
def delete_override(
    publicId: str,  # noqa: N803
    session: DbSession,
    caller: CallerDep,
    now: Now,
) -> dict[str, str]:
    """Delete a scheduled override and its assignments."""
    service.delete_override(
        session, caller.org_id, publicId, actor=audit_actor(session, caller), by=None, now=now
    )
    return {}


@router.get(f"{OVERRIDES}/{{publicId}}/assignments", response_model=list[Assignment])
def list_assignments(
    publicId: str,  # noqa: N803
    session: DbSession,
    caller: CallerDep,
    page: PageDep,
) -> list[Assignment]:
    """The override's per-policy assignments."""
    row = service.find_override(session, caller.org_id, publicId)
    view = service.describe_override(session, caller.org_id, row)
    return [_assignment(publicId, a) for a in page.of(view.assignments)]


@router.get(ASSIGNMENT, response_model=Assignment)
def get_assignment(
    publicId: str,  # noqa: N803
    policySlug: str,  # noqa: N803
    session: DbSession,
    caller: CallerDep,
) -> Assignment:
    """Get the specified scheduled override assignment."""
    view = service.get_assignment(session, caller.org_id, publicId, policySlug)
    return _assignment(publicId, view)


@router.put(ASSIGNMENT, response_model=Assignment)
def update_assignment(
    publicId: str,  # noqa: N803
    policySlug: str,  # noqa: N803
    *,
    body: UpdateAssignment,
    session: DbSession,
    caller: CallerDep,
    now: Now,
) -> Assignment:
    """Hand the policy to `username` for the override's period (no username: unassign)."""
    view = service.set_assignment(
        session,
        caller.org_id,
        publicId,
        policySlug,
        body_policy=body.policy,
        username=body.username,
        actor=audit_actor(session, caller),
        by=None,
        now=now,
    )
    return _assignment(publicId, view)


@router.delete(ASSIGNMENT, response_model=Assignment)
def delete_assignment(
    publicId: str,  # noqa: N803
    policySlug: str,  # noqa: N803
    session: DbSession,
    caller: CallerDep,
    now: Now,
) -> Assignment:
    """Delete the assignment: the policy keeps its normal schedule. Returns what it was."""
    view = service.delete_assignment(
        session,
        caller.org_id,
        publicId,
        policySlug,
        actor=audit_actor(session, caller),
        by=None,
        now=now,
    )
    return _assignment(publicId, view)


@router.patch("/api-public/v1/policies/{policy}/oncall/user", response_model=TakeResult)
def take_oncall(
    policy: str, body: TakeRequest, session: DbSession, caller: CallerDep, now: Now
) -> TakeResult:
    """Take On-Call: `toUser` replaces `fromUser` on the policy until their period ends."""
    service.take_oncall(
        session,
        caller.org_id,
        policy_slug=policy,
        from_username=body.from_user,
        to_username=body.to_user,
        actor=audit_actor(session, caller),
        now=now,
    )
    return TakeResult(result="ok")


@router.patch("/api-public/v1/team/{team}/oncall/user", response_model=TakeResult, deprecated=True)
def take_team_oncall(
    team: str, body: TakeRequest, session: DbSession, caller: CallerDep, now: Now
) -> TakeResult:
    """Take On-Call on every policy of the team where `fromUser` is on call (deprecated)."""
    service.take_team_oncall(
        session,
        caller.org_id,
        team_slug=team,
        from_username=body.from_user,
        to_username=body.to_user,
        actor=audit_actor(session, caller),
        now=now,
    )
    return TakeResult(result="ok")
