"""The permission check's inputs from the database: a user's actor, a user's or policy's teams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.auth.permissions import Actor, Target
from openoncall.teams.models import TeamMember
from openoncall.users.models import User
from openoncall.users.roles import Role


def actor_of(session: Session, user: User) -> Actor:
    admin_of = session.scalars(
        select(TeamMember.team_id).where(
            TeamMember.org_id == user.org_id,
            TeamMember.user_id == user.id,
            TeamMember.is_admin.is_(True),
        )
    )
    return Actor(user_id=user.id, role=Role(user.role), team_admin_of=frozenset(admin_of))


def role_actor(user: User) -> Actor:
    """Without the team-admin memberships: enough for actions no team grants (incidents,
    taking on-call), and no query."""
    return Actor(user_id=user.id, role=Role(user.role))


def teams_of(session: Session, org_id: int, user_id: int) -> frozenset[int]:
    return frozenset(
        session.scalars(
            select(TeamMember.team_id).where(
                TeamMember.org_id == org_id, TeamMember.user_id == user_id
            )
        )
    )


def for_user(session: Session, user: User) -> Target:
    """A target that is a person: them, and the teams they belong to."""
    return Target(teams=teams_of(session, user.org_id, user.id), user_id=user.id)


def teams_by_user(session: Session, org_id: int) -> dict[int, frozenset[int]]:
    """Every member's teams in one query, for pages that ask about many people at once."""
    found: dict[int, set[int]] = {}
    rows = session.execute(
        select(TeamMember.user_id, TeamMember.team_id).where(TeamMember.org_id == org_id)
    )
    for user_id, team_id in rows:
        found.setdefault(user_id, set()).add(team_id)
    return {user_id: frozenset(ids) for user_id, ids in found.items()}
