"""Use cases for teams, their members and team admins. Services never commit.

A team admin is a member whose `team_member.is_admin` is set (never a stakeholder); global
admins are users with the global_admin role (docs/roles.md). Removing a member hands their
rotation slots and policy entries in that team to a replacement, as the VictorOps API requires.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openoncall.errors import AlreadyExists, InvalidInput, NotFound, Unprocessable
from openoncall.ids import new_slug
from openoncall.list_window import WHOLE, Page
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import Role, User
from openoncall.users.service import (
    ensure_member,
    find_duties,
    find_user,
    get_user,
    hand_over,
    has_control_chars,
)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name must not be empty", field="name")
    if has_control_chars(name):
        raise InvalidInput("name must not contain control characters", field="name")
    return name


MAX_DESCRIPTION = 1024


def _check_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description must be at most {MAX_DESCRIPTION} characters", field="description"
        )
    # Line breaks and tabs are fine in a description; other control characters are not.
    if has_control_chars(description.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise InvalidInput("description must not contain control characters", field="description")
    return description.strip()


def find_team(session: Session, org_id: int, slug: str) -> Team | None:
    if "\x00" in slug:
        return None  # no slug holds NUL, and PostgreSQL would refuse the query
    return session.scalar(select(Team).where(Team.org_id == org_id, Team.slug == slug))


def get_team(session: Session, org_id: int, slug: str) -> Team:
    team = find_team(session, org_id, slug)
    if team is None:
        raise NotFound("Team not found", field="team")
    return team


def _name_taken(session: Session, org_id: int, name: str, *, but: int | None = None) -> bool:
    query = select(Team.id).where(Team.org_id == org_id, Team.name == name)
    if but is not None:
        query = query.where(Team.id != but)
    return session.scalar(query) is not None


def create_team(
    session: Session, org_id: int, *, name: str, now: datetime, description: str = ""
) -> Team:
    name = _check_name(name)
    description = _check_description(description)
    if _name_taken(session, org_id, name):
        raise AlreadyExists(f"Team name {name} is unavailable", field="name")
    team = Team(
        org_id=org_id,
        slug=new_slug("team", 12),
        name=name,
        description=description,
        version=0,
        created_at=now,
    )
    _flush_name(session, team, name)
    return team


def _flush_name(session: Session, team: Team, name: str) -> None:
    """Flush in a savepoint: a concurrent writer of the same name loses with a 422, not a 500."""
    try:
        with session.begin_nested():
            session.add(team)
            session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"Team name {name} is unavailable", field="name") from exc


def rename_team(
    session: Session, org_id: int, slug: str, *, name: str, description: str | None = None
) -> Team:
    """Rename a team and, when given, replace its description."""
    team = get_team(session, org_id, slug)
    name = _check_name(name)
    new_description = team.description if description is None else _check_description(description)
    if _name_taken(session, org_id, name, but=team.id):
        raise AlreadyExists(f"Team name {name} is unavailable", field="name")
    if name != team.name or new_description != team.description:
        team.name = name
        team.description = new_description
        team.version += 1
    _flush_name(session, team, name)
    return team


def delete_team(session: Session, org_id: int, slug: str) -> None:
    """Its memberships, rotations and escalation policies go with it (FK cascades)."""
    team = get_team(session, org_id, slug)
    session.delete(team)
    session.flush()


def member_counts(session: Session, org_id: int) -> dict[int, int]:
    rows = session.execute(
        select(TeamMember.team_id, func.count())
        .where(TeamMember.org_id == org_id)
        .group_by(TeamMember.team_id)
    )
    return {int(team_id): int(count) for team_id, count in rows}


def list_teams(session: Session, org_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.org_id == org_id).order_by(Team.name)))


def list_members(session: Session, org_id: int, slug: str) -> list[tuple[TeamMember, User]]:
    team = get_team(session, org_id, slug)
    rows = session.execute(
        select(TeamMember, User)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.org_id == org_id, TeamMember.team_id == team.id)
        .order_by(User.username)
    )
    return [(member, user) for member, user in rows]


# A team's members by username, as the columns their wire form shows: one statement built
# once, joined through the team's slug (no ORM rows, no separate read of the team).
_MEMBER_COLUMNS = (
    select(
        User.username,
        User.first_name,
        User.last_name,
        TeamMember.version,
        User.is_verified,
    )
    .select_from(Team)
    .join(TeamMember, TeamMember.team_id == Team.id)
    .join(User, User.id == TeamMember.user_id)
    .where(Team.org_id == bindparam("org_id"), Team.slug == bindparam("slug"))
    .order_by(User.username)
)


def list_member_columns(
    session: Session, org_id: int, slug: str, *, page: Page = WHOLE
) -> list[Row[str, str, str, int, bool]]:
    """(username, first_name, last_name, version, is_verified) of the team's members, by
    username; an unknown team is NotFound."""
    rows = (
        []
        if "\x00" in slug  # PostgreSQL would refuse the query; get_team answers NotFound
        else session.connection()
        .execute(page.applied(_MEMBER_COLUMNS), {"org_id": org_id, "slug": slug})
        .all()
    )
    if not rows:
        get_team(session, org_id, slug)  # an empty page of a team, or no such team
    return list(rows)


def list_admins(session: Session, org_id: int, slug: str) -> list[User]:
    return [user for member, user in list_members(session, org_id, slug) if member.is_admin]


def _may_be_team_admin(user: User) -> None:
    # The vendor's stakeholders hold no other role; a flag on one would grant nothing anyway.
    if user.role == Role.STAKEHOLDER:
        raise Unprocessable(
            f"{user.username} is a stakeholder: stakeholders cannot be team admins", field="admin"
        )


def add_member(
    session: Session, org_id: int, slug: str, username: str, *, is_admin: bool = False
) -> TeamMember:
    """Adding someone who is already a member changes nothing (retries are harmless)."""
    team = get_team(session, org_id, slug)
    user = get_user(session, org_id, username, field="username")
    if is_admin:
        _may_be_team_admin(user)
    ensure_member(session, org_id, team.id, user, is_admin)
    member = session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    assert member is not None
    return member


def set_team_admin(
    session: Session, org_id: int, slug: str, username: str, *, is_admin: bool
) -> TeamMember:
    """Grant or withdraw the team-admin role of a member."""
    team = get_team(session, org_id, slug)
    user = get_user(session, org_id, username)
    member = session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    if member is None:
        raise NotFound(f"User {user.username} is not a member of team {team.name}", field="user")
    if is_admin:
        _may_be_team_admin(user)
    if member.is_admin != is_admin:
        member.is_admin = is_admin
        member.version += 1
    session.flush()
    return member


def remove_member(
    session: Session, org_id: int, slug: str, username: str, *, replacement: str | None
) -> None:
    """Remove a member; `replacement` takes their rotation slots and entries in this team.

    A replacement is needed only when there is something to hand over; when given, it must
    be a user of the organization (422 otherwise), and it inherits a team-admin role too.
    """
    team = get_team(session, org_id, slug)
    user = get_user(session, org_id, username)
    member = session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    if member is None:
        raise NotFound(f"User {user.username} is not a member of team {team.name}", field="user")
    substitute: User | None = None
    if replacement:
        substitute = find_user(session, org_id, replacement)
        if substitute is None:
            raise Unprocessable(f"Replacement user {replacement} not found", field="replacement")
        if substitute.id == user.id:
            raise Unprocessable("A user cannot replace themselves", field="replacement")
    duties = find_duties(session, org_id, user, team_id=team.id)
    if duties.members or duties.entries:
        if substitute is None:
            raise Unprocessable(
                f"A replacement is required: {user.username} is in rotations or escalation "
                f"policies of team {team.name}",
                field="replacement",
            )
        chosen = substitute
        hand_over(session, org_id, duties, lambda _team_id: chosen)
    if substitute is not None:
        ensure_member(session, org_id, team.id, substitute, member.is_admin)
    session.delete(member)
    session.flush()


def list_user_teams(session: Session, org_id: int, username: str) -> list[Team]:
    user = get_user(session, org_id, username)
    return list(
        session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.org_id == org_id, TeamMember.user_id == user.id)
            .order_by(Team.name)
        )
    )
