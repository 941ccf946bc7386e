"""Teams endpoints: /api-public/v1/team…"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body
from starlette.responses import Response

from openoncall.api.paging import PageDep
from openoncall.api.responses import JsonBytes
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.teams import service
from openoncall.teams.schemas import (
    TeamAdmin,
    TeamAdmins,
    TeamCreate,
    TeamDetail,
    TeamMemberAdd,
    TeamMemberRead,
    TeamMemberRemove,
    TeamMembers,
    team_url,
)
from openoncall.users.models import display_name_of
from openoncall.users.schemas import Empty

router = public_router(tags=["Teams"])

V1 = "/api-public/v1/team"


def _detail(session: DbSession, org_id: int, slug: str) -> TeamDetail:
    team = service.get_team(session, org_id, slug)
    return TeamDetail.with_count(team, service.member_counts(session, org_id).get(team.id, 0))


def _members(session: DbSession, org_id: int, slug: str) -> TeamMembers:
    rows = service.list_members(session, org_id, slug)
    return TeamMembers(
        self_url=f"{team_url(slug)}/members",
        team_url=team_url(slug),
        members=[
            TeamMemberRead(
                username=user.username,
                first_name=user.first_name,
                last_name=user.last_name,
                display_name=display_name_of(user.first_name, user.last_name, user.username),
                version=member.version,
                verified=user.is_verified,
            )
            for member, user in rows
        ],
    )


@router.get(V1, response_model=list[TeamDetail])
def list_teams(session: DbSession, caller: CallerDep, page: PageDep) -> list[TeamDetail]:
    """List teams (a bare array)."""
    counts = service.member_counts(session, caller.org_id)
    return [
        TeamDetail.with_count(t, counts.get(t.id, 0))
        for t in page.of(service.list_teams(session, caller.org_id))
    ]


@router.post(V1, response_model=TeamDetail)
def add_team(session: DbSession, caller: CallerDep, now: Now, body: TeamCreate) -> TeamDetail:
    """Add a team."""
    team = service.create_team(
        session, caller.org_id, name=body.name, description=body.description or "", now=now
    )
    return TeamDetail.with_count(team, 0)


@router.get(f"{V1}/{{team}}", response_model=TeamDetail)
def get_team(session: DbSession, caller: CallerDep, team: str) -> TeamDetail:
    """Retrieve information for a team."""
    return _detail(session, caller.org_id, team)


@router.put(f"{V1}/{{team}}", response_model=TeamDetail)
def update_team(session: DbSession, caller: CallerDep, team: str, body: TeamCreate) -> TeamDetail:
    """Rename a team; a `description` given replaces the team's."""
    service.rename_team(session, caller.org_id, team, name=body.name, description=body.description)
    return _detail(session, caller.org_id, team)


@router.delete(f"{V1}/{{team}}", response_model=Empty)
def delete_team(session: DbSession, caller: CallerDep, team: str) -> Empty:
    """Remove a team with its rotations and escalation policies."""
    service.delete_team(session, caller.org_id, team)
    return Empty()


@router.get(f"{V1}/{{team}}/members", response_model=TeamMembers)
def list_members(session: DbSession, caller: CallerDep, team: str, page: PageDep) -> Response:
    """Retrieve a list of members for a team."""
    rows = service.list_member_columns(session, caller.org_id, team, page=page)
    # TeamMembers' wire form, encoded once from the columns.
    url = team_url(team)
    members = [
        {
            "username": username,
            "firstName": first,
            "lastName": last,
            "displayName": display_name_of(first, last, username),
            "version": version,
            "verified": verified,
        }
        for username, first, last, version, verified in rows
    ]
    return JsonBytes.of({"_selfUrl": f"{url}/members", "_teamUrl": url, "members": members})


@router.post(f"{V1}/{{team}}/members", response_model=TeamMembers)
def add_member(
    session: DbSession, caller: CallerDep, team: str, body: TeamMemberAdd
) -> TeamMembers:
    """Add a team member; answers with the team's members."""
    service.add_member(session, caller.org_id, team, body.username)
    return _members(session, caller.org_id, team)


@router.delete(f"{V1}/{{team}}/members/{{user}}", response_model=Empty)
def remove_member(
    session: DbSession,
    caller: CallerDep,
    team: str,
    user: str,
    body: Annotated[TeamMemberRemove | None, Body()] = None,
) -> Empty:
    """Remove a team member; the replacement takes over their rotations and entries."""
    replacement = body.replacement if body else None
    service.remove_member(session, caller.org_id, team, user, replacement=replacement)
    return Empty()


@router.get(f"{V1}/{{team}}/admins", response_model=TeamAdmins)
def list_admins(session: DbSession, caller: CallerDep, team: str, page: PageDep) -> TeamAdmins:
    """Retrieve a list of team admins for a team."""
    admins = page.of(service.list_admins(session, caller.org_id, team))
    return TeamAdmins(team_admins=[TeamAdmin.of(u) for u in admins])
