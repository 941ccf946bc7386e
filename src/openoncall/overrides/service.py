"""Use cases for scheduled overrides, their per-policy assignments and Take On-Call.

A scheduled override covers one user's on-call during a period across all their policies;
when it is created it gets one unassigned assignment per policy that user is on call for in
that period; assigning a policy hands it to a chosen user; an unassigned policy keeps its normal
schedule. Take On-Call hands a policy from the person on call now to another until that
person's current period there ends. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.audit.service import record_audit
from openoncall.auth.actors import for_user, role_actor
from openoncall.auth.permissions import Action, Actor, Target, require
from openoncall.errors import Conflict, InvalidInput, NotFound
from openoncall.ids import new_slug
from openoncall.overrides.models import OnCallTake, OverrideAssignment, ScheduledOverride
from openoncall.policies.models import EscalationPolicy
from openoncall.policies.service import get_policy, get_team
from openoncall.schedules.service import policies_oncall, policy_oncall
from openoncall.schedules.views import final_spans, period_end_now, users_now
from openoncall.teams.models import Team
from openoncall.timeutil import get_zone, naive_local_to_utc
from openoncall.users.models import User

_DATETIME = TypeAdapter(datetime)
MIN_YEAR, MAX_YEAR = 1970, 2200
# An override is a leave or a swap, not a new rotation; its assignments are computed over it.
MAX_OVERRIDE = timedelta(days=366)
# Take On-Call looks at the instant `now`; the window only has to contain it.
_NOW_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class AssignmentView:
    policy_slug: str
    team_slug: str
    username: str | None


@dataclass(frozen=True, slots=True)
class OverrideView:
    override: ScheduledOverride
    user: User
    assignments: list[AssignmentView]


def get_user(session: Session, org_id: int, username: str, *, field: str) -> User:
    user = session.scalar(
        select(User).where(User.org_id == org_id, User.username == username.strip().lower())
    )
    if user is None:
        raise NotFound(f"User not found: {username}", field=field)
    return user


def parse_instant(value: str, timezone: str, *, field: str) -> datetime:
    """ISO-8601 with `Z` or an offset; a time without one is local time in `timezone`."""
    try:
        parsed = _DATETIME.validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(f"Invalid ISO-8601 date-time: {value!r}", field=field) from exc
    # Far-off years are typos, and would overflow the calendar arithmetic downstream.
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise InvalidInput(f"{field} must be between {MIN_YEAR} and {MAX_YEAR}", field=field)
    if parsed.tzinfo is None:
        return naive_local_to_utc(parsed, get_zone(timezone))
    return parsed


def _require_for(session: Session, by: Actor | None, action: Action, user: User) -> None:
    """`by` (None: a full-access API key) may do `action` for `user`, judged by their teams."""
    if by is not None:
        require(by, action, for_user(session, user))


def _require_on_call_capable(user: User, *, field: str) -> None:
    # Stakeholders are never on call: not as a stand-in, not by taking a shift.
    require(role_actor(user), Action.TAKE_ONCALL, who=user.username, field=field)


# --- scheduled overrides ----------------------------------------------------------------------


def create_override(
    session: Session,
    org_id: int,
    *,
    username: str,
    timezone: str,
    start: str,
    end: str,
    actor: str,
    by: Actor | None,
    now: datetime,
) -> OverrideView:
    """A new override of `username`'s on-call in [start, end), with one unassigned assignment
    per policy they are on call for in that period. `by` is the person asking (None: a
    full-access API key); only admins and their team admins may create one for someone else."""
    user = get_user(session, org_id, username, field="username")
    _require_for(session, by, Action.MANAGE_OVERRIDE, user)
    get_zone(timezone)  # InvalidInput naming `timezone` when unknown
    start_at = parse_instant(start, timezone, field="start")
    end_at = parse_instant(end, timezone, field="end")
    if end_at <= start_at:
        raise InvalidInput("end must be after start", field="end")
    if end_at - start_at > MAX_OVERRIDE:
        raise InvalidInput("An override may last at most 366 days", field="end")
    override = ScheduledOverride(
        org_id=org_id,
        public_id=new_slug("ovr", 16),
        user_id=user.id,
        timezone=timezone,
        start_at=start_at,
        end_at=end_at,
        created_at=now,
    )
    session.add(override)
    session.flush()
    policy_ids = session.scalars(
        select(EscalationPolicy.id).where(EscalationPolicy.org_id == org_id)
    ).all()
    pictures = policies_oncall(session, org_id, policy_ids, start=start_at, end=end_at, now=now)
    for policy_id in sorted(pictures):
        spans = final_spans(pictures[policy_id])
        if any(span.scheduled_username == user.username for span in spans):
            session.add(
                OverrideAssignment(
                    org_id=org_id, override_id=override.id, policy_id=policy_id, user_id=None
                )
            )
    session.flush()
    _audit(
        session,
        org_id,
        action="override.create",
        subject=override.public_id,
        actor=actor,
        now=now,
        user=user.username,
    )
    return describe_override(session, org_id, override)


def list_overrides(session: Session, org_id: int, *, now: datetime) -> list[OverrideView]:
    """Overrides that have not ended yet, by start (three queries, however many there are)."""
    rows = session.scalars(
        select(ScheduledOverride)
        .where(ScheduledOverride.org_id == org_id, ScheduledOverride.end_at > now)
        .order_by(ScheduledOverride.start_at, ScheduledOverride.id)
    ).all()
    return _describe_many(session, org_id, list(rows))


def find_override(session: Session, org_id: int, public_id: str) -> ScheduledOverride:
    row = session.scalar(
        select(ScheduledOverride).where(
            ScheduledOverride.org_id == org_id, ScheduledOverride.public_id == public_id
        )
    )
    if row is None:
        raise NotFound(f"Scheduled override not found: {public_id}", field="publicId")
    return row


def describe_override(session: Session, org_id: int, override: ScheduledOverride) -> OverrideView:
    return _describe_many(session, org_id, [override])[0]


def _describe_many(
    session: Session, org_id: int, overrides: list[ScheduledOverride]
) -> list[OverrideView]:
    if not overrides:
        return []
    ids = [o.id for o in overrides]
    assignments: dict[int, list[AssignmentView]] = {i: [] for i in ids}
    for override_id, policy_slug, team_slug, username in session.execute(
        select(OverrideAssignment.override_id, EscalationPolicy.slug, Team.slug, User.username)
        .join(EscalationPolicy, EscalationPolicy.id == OverrideAssignment.policy_id)
        .join(Team, Team.id == EscalationPolicy.team_id)
        .outerjoin(User, User.id == OverrideAssignment.user_id)
        .where(OverrideAssignment.org_id == org_id, OverrideAssignment.override_id.in_(ids))
        .order_by(OverrideAssignment.id)
    ):
        assignments[override_id].append(AssignmentView(policy_slug, team_slug, username))
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.org_id == org_id, User.id.in_({o.user_id for o in overrides}))
        )
    }
    return [OverrideView(o, users[o.user_id], assignments[o.id]) for o in overrides]


def delete_override(
    session: Session,
    org_id: int,
    public_id: str,
    *,
    actor: str,
    by: Actor | None,
    now: datetime,
) -> None:
    override = find_override(session, org_id, public_id)
    absent = session.get(User, override.user_id)
    if absent is not None:
        _require_for(session, by, Action.MANAGE_OVERRIDE, absent)
    session.delete(override)
    session.flush()
    _audit(session, org_id, action="override.delete", subject=public_id, actor=actor, now=now)


def get_assignment(
    session: Session, org_id: int, public_id: str, policy_slug: str
) -> AssignmentView:
    view = describe_override(session, org_id, find_override(session, org_id, public_id))
    for assignment in view.assignments:
        if assignment.policy_slug == policy_slug:
            return assignment
    raise NotFound(
        f"Override {public_id} has no assignment for policy {policy_slug}", field="policySlug"
    )


def set_assignment(
    session: Session,
    org_id: int,
    public_id: str,
    policy_slug: str,
    *,
    body_policy: str,
    username: str | None,
    actor: str,
    by: Actor | None,
    now: datetime,
) -> AssignmentView:
    """Hand the override's policy to `username` (None or empty: unassign it).

    Anyone may take a policy for themselves or give back their own; handing it to someone
    else takes an admin or a team admin of the policy's team."""
    if body_policy != policy_slug:
        raise InvalidInput(
            f"policy {body_policy} does not match the path's {policy_slug}", field="policy"
        )
    override = find_override(session, org_id, public_id)
    policy = get_policy(session, org_id, policy_slug, field="policySlug")
    user = get_user(session, org_id, username, field="username") if username else None
    if user is not None:
        _require_on_call_capable(user, field="username")
    row = session.scalar(
        select(OverrideAssignment).where(
            OverrideAssignment.org_id == org_id,
            OverrideAssignment.override_id == override.id,
            OverrideAssignment.policy_id == policy.id,
        )
    )
    giving_back = row.user_id if row is not None else None
    if user is not None or giving_back is not None:  # unassigning nobody changes nothing
        _require_assign(by, policy, user.id if user else giving_back)
    if row is None:
        row = OverrideAssignment(org_id=org_id, override_id=override.id, policy_id=policy.id)
        session.add(row)
    row.user_id = user.id if user else None
    session.flush()
    _audit(
        session,
        org_id,
        action="override.assign",
        subject=public_id,
        actor=actor,
        now=now,
        policy=policy_slug,
        user=user.username if user else None,
    )
    return get_assignment(session, org_id, public_id, policy_slug)


def _require_assign(by: Actor | None, policy: EscalationPolicy, user_id: int | None) -> None:
    """`by` may hand `policy` to (or take it from) the user `user_id`."""
    target = Target(teams=frozenset({policy.team_id}), user_id=user_id)
    require(by, Action.ASSIGN_OVERRIDE, target)


def delete_assignment(
    session: Session,
    org_id: int,
    public_id: str,
    policy_slug: str,
    *,
    actor: str,
    by: Actor | None,
    now: datetime,
) -> AssignmentView:
    """Remove the assignment (the policy keeps its normal schedule); returns what it was."""
    before = get_assignment(session, org_id, public_id, policy_slug)
    override = find_override(session, org_id, public_id)
    policy = get_policy(session, org_id, policy_slug, field="policySlug")
    row = session.scalars(
        select(OverrideAssignment).where(
            OverrideAssignment.org_id == org_id,
            OverrideAssignment.override_id == override.id,
            OverrideAssignment.policy_id == policy.id,
        )
    ).one()
    _require_assign(by, policy, row.user_id)
    session.delete(row)
    session.flush()
    _audit(
        session,
        org_id,
        action="override.unassign",
        subject=public_id,
        actor=actor,
        now=now,
        policy=policy_slug,
    )
    return before


# --- take on-call -----------------------------------------------------------------------------


def take_oncall(
    session: Session,
    org_id: int,
    *,
    policy_slug: str,
    from_username: str,
    to_username: str,
    actor: str,
    now: datetime,
) -> None:
    """`to` replaces `from` on the policy from now until `from`'s current period there ends.

    Taking from yourself changes nothing; repeating a take that already holds (`to` is on call
    and `from` no longer is) changes nothing either.
    """
    policy = get_policy(session, org_id, policy_slug)
    from_user = get_user(session, org_id, from_username, field="fromUser")
    to_user = get_user(session, org_id, to_username, field="toUser")
    _require_on_call_capable(to_user, field="toUser")
    if from_user.id == to_user.id:
        return
    _lock_policies(session, [policy.id])
    if not _take_on(session, org_id, policy, from_user, to_user, actor=actor, now=now):
        raise InvalidInput(
            f"{from_user.username} is not on call for policy {policy.slug}", field="fromUser"
        )


def take_team_oncall(
    session: Session,
    org_id: int,
    *,
    team_slug: str,
    from_username: str,
    to_username: str,
    actor: str,
    now: datetime,
) -> None:
    """The deprecated team form: take on every policy of the team where `from` is on call."""
    team = get_team(session, org_id, team_slug)
    from_user = get_user(session, org_id, from_username, field="fromUser")
    to_user = get_user(session, org_id, to_username, field="toUser")
    _require_on_call_capable(to_user, field="toUser")
    if from_user.id == to_user.id:
        return
    policies = session.scalars(
        select(EscalationPolicy)
        .where(EscalationPolicy.org_id == org_id, EscalationPolicy.team_id == team.id)
        .order_by(EscalationPolicy.id)
    ).all()
    _lock_policies(session, [policy.id for policy in policies])
    results = [
        _take_on(session, org_id, policy, from_user, to_user, actor=actor, now=now)
        for policy in policies
    ]
    if not any(results):
        raise InvalidInput(
            f"{from_user.username} is not on call for team {team.slug}", field="fromUser"
        )


def _lock_policies(session: Session, policy_ids: list[int]) -> None:
    """Serialise takes per policy: who is on call is read only after this lock is held.

    Two concurrent takes of one shift would otherwise both see `from` on call and both insert.
    On PostgreSQL the row lock (ids in order, so two team takes cannot deadlock) makes the
    second wait for the first to commit; SQLite writers already begin IMMEDIATE, one at a time.
    """
    session.execute(
        select(EscalationPolicy.id)
        .where(EscalationPolicy.id.in_(policy_ids))
        .order_by(EscalationPolicy.id)
        .with_for_update()
    ).all()


def _holder_of(
    session: Session, org_id: int, policy: EscalationPolicy, from_user: User, now: datetime
) -> str | None:
    """Who holds `from_user`'s shift on the policy now through a take, if anyone."""
    return session.scalar(
        select(User.username)
        .join(OnCallTake, OnCallTake.to_user_id == User.id)
        .where(
            OnCallTake.org_id == org_id,
            OnCallTake.policy_id == policy.id,
            OnCallTake.from_user_id == from_user.id,
            OnCallTake.start_at <= now,
            OnCallTake.end_at > now,
        )
        .order_by(OnCallTake.id.desc())
        .limit(1)
    )


def _take_on(
    session: Session,
    org_id: int,
    policy: EscalationPolicy,
    from_user: User,
    to_user: User,
    *,
    actor: str,
    now: datetime,
) -> bool:
    """Take on one policy; False when `from` is not on call there (and `to` is not either).

    Conflict when someone else already took `from`'s shift: the caller lost a race (or asked
    late) and must not believe they are on call.
    """
    picture = policy_oncall(session, org_id, policy.id, start=now, end=now + _NOW_WINDOW, now=now)
    on_call = users_now(picture)
    if from_user.username not in on_call:
        if to_user.username in on_call:
            return True
        holder = _holder_of(session, org_id, policy, from_user, now)
        if holder is not None:
            raise Conflict(
                f"{holder} already holds {from_user.username}'s shift on policy {policy.slug}",
                field="fromUser",
            )
        return False
    end = period_end_now(picture, from_user.username)
    assert end is not None  # they are on call now, so their period has an end
    session.add(
        OnCallTake(
            org_id=org_id,
            policy_id=policy.id,
            from_user_id=from_user.id,
            to_user_id=to_user.id,
            start_at=now,
            end_at=end,
            created_at=now,
        )
    )
    session.flush()
    _audit(
        session,
        org_id,
        action="oncall.take",
        subject=policy.slug,
        actor=actor,
        now=now,
        fromUser=from_user.username,
        toUser=to_user.username,
        until=end.isoformat(),
    )
    return True


def _audit(
    session: Session,
    org_id: int,
    *,
    action: str,
    subject: str,
    actor: str,
    now: datetime,
    **detail: str | None,
) -> None:
    subject_type = "escalation_policy" if action.startswith("oncall.") else "scheduled_override"
    record_audit(
        session,
        org_id,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject,
        detail=dict(detail),
        now=now,
    )
