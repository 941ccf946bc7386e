"""Typed builders for the scheduling tests: users, teams and rotation groups as rows.

Teams and users have their own API tests; here they are only the ground the schedules stand on,
so they are written straight through the models (one committed transaction each).
"""

from __future__ import annotations

from sqlalchemy import select

from openoncall.container import Container
from openoncall.ids import new_slug
from openoncall.rotations.models import RotationGroup
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User
from openoncall.users.service import create_user


def make_user(
    container: Container, org_id: int, username: str, first: str = "", last: str = ""
) -> str:
    with container.sessions.transaction() as session:
        create_user(
            session,
            org_id,
            username=username,
            first_name=first or username.capitalize(),
            last_name=last or "Tester",
            email=f"{username}@example.com",
            now=container.clock.now(),
        )
    return username


def make_team(
    container: Container, org_id: int, name: str, members: list[str] | None = None
) -> str:
    """A team with the given usernames as members; returns its slug."""
    with container.sessions.transaction() as session:
        team = Team(
            org_id=org_id,
            slug=new_slug("team", 16),
            name=name,
            is_default=False,
            version=0,
            created_at=container.clock.now(),
        )
        session.add(team)
        session.flush()
        for username in members or []:
            user_id = session.scalars(
                select(User.id).where(User.org_id == org_id, User.username == username)
            ).one()
            session.add(TeamMember(org_id=org_id, team_id=team.id, user_id=user_id, is_admin=False))
        return team.slug


def make_rotation_group(container: Container, org_id: int, team_slug: str, label: str) -> str:
    """An empty rotation group of a team; returns its slug."""
    with container.sessions.transaction() as session:
        team = session.scalars(
            select(Team).where(Team.org_id == org_id, Team.slug == team_slug)
        ).one()
        group = RotationGroup(
            org_id=org_id,
            team_id=team.id,
            slug=new_slug("rtg", 16),
            label=label,
            created_at=container.clock.now(),
        )
        session.add(group)
        session.flush()
        return group.slug
