"""Typed builders for test data: plain functions with defaults, one per thing.

They write through the services where a service exists (so defaults such as the Default
email contact are made as in production) and flush, never commit: the caller's session or
transaction owns that.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from openoncall.ids import new_slug
from openoncall.policies.models import (
    EscalationEntry,
    EscalationPolicy,
    EscalationStep,
    ExecutionType,
)
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift, ShiftType
from openoncall.teams import service as teams
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import Role, User
from openoncall.users.service import create_user
from tests.conftest import T0


def make_user(
    session: Session,
    org_id: int,
    username: str = "jdoe",
    *,
    first_name: str = "Jane",
    last_name: str = "Doe",
    email: str | None = None,
    role: Role = Role.USER,
    password: str | None = None,
    now: datetime = T0,
) -> User:
    return create_user(
        session,
        org_id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email or f"{username}@example.com",
        role=role,
        password=password,
        now=now,
    )


def make_team(session: Session, org_id: int, name: str = "Ops", *, now: datetime = T0) -> Team:
    return teams.create_team(session, org_id, name=name, now=now)


def add_member(session: Session, team: Team, user: User, *, is_admin: bool = False) -> TeamMember:
    return teams.add_member(session, team.org_id, team.slug, user.username, is_admin=is_admin)


def make_rotation(
    session: Session,
    team: Team,
    members: list[User],
    *,
    label: str = "Primary",
    timezone: str = "UTC",
    start_at: datetime = T0,
    handoff_days: int = 7,
) -> RotationShift:
    """A rotation group with one 24/7 shift whose members rotate in the given order."""
    group = RotationGroup(
        org_id=team.org_id,
        team_id=team.id,
        slug=new_slug("rtg", 12),
        label=label,
        created_at=start_at,
    )
    session.add(group)
    session.flush()
    shift = RotationShift(
        org_id=team.org_id,
        group_id=group.id,
        label=label,
        timezone=timezone,
        shift_type=ShiftType.STANDARD,
        start_at=start_at,
        handoff_days=handoff_days,
        mask={},
        member_offset=0,
        created_at=start_at,
    )
    session.add(shift)
    session.flush()
    for position, user in enumerate(members):
        session.add(
            RotationMember(
                org_id=team.org_id, shift_id=shift.id, user_id=user.id, position=position
            )
        )
    session.flush()
    return shift


def make_user_policy(
    session: Session,
    team: Team,
    users: list[User],
    *,
    name: str = "Escalate",
    timeout_minutes: int = 0,
    now: datetime = T0,
) -> EscalationPolicy:
    """An escalation policy with one step paging the given users directly."""
    policy = EscalationPolicy(
        org_id=team.org_id,
        team_id=team.id,
        slug=new_slug("pol", 12),
        name=name,
        is_ignoring_custom_paging_policies=False,
        created_at=now,
    )
    session.add(policy)
    session.flush()
    step = EscalationStep(
        org_id=team.org_id, policy_id=policy.id, position=0, timeout_minutes=timeout_minutes
    )
    session.add(step)
    session.flush()
    for position, user in enumerate(users):
        session.add(
            EscalationEntry(
                org_id=team.org_id,
                step_id=step.id,
                position=position,
                execution_type=ExecutionType.USER,
                user_id=user.id,
            )
        )
    session.flush()
    return policy
