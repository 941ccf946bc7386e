"""Wire models for the teams API (NOTES (b) "Teams", live shapes of NOTES (f))."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel
from openoncall.teams.models import Team
from openoncall.users.models import User
from openoncall.users.schemas import user_url


def team_url(slug: str) -> str:
    return f"/api-public/v1/team/{slug}"


class SimpleTeamDetail(WireModel):
    """A team as listed in a user's teams."""

    name: str
    slug: str
    description: str
    self_url: str = Field(alias="_selfUrl")
    members_url: str = Field(alias="_membersUrl")
    policies_url: str = Field(alias="_policiesUrl")
    admins_url: str = Field(alias="_adminsUrl")

    @classmethod
    def of(cls, team: Team) -> SimpleTeamDetail:
        base = team_url(team.slug)
        return cls(
            name=team.name,
            slug=team.slug,
            description=team.description,
            self_url=base,
            members_url=f"{base}/members",
            policies_url=f"{base}/policies",
            admins_url=f"{base}/admins",
        )


class TeamDetail(SimpleTeamDetail):
    """AddTeamResponse; `GET /api-public/v1/team` is a bare array of these."""

    member_count: int
    version: int
    is_default_team: bool

    @classmethod
    def with_count(cls, team: Team, member_count: int) -> TeamDetail:
        simple = SimpleTeamDetail.of(team)
        return cls(
            **simple.model_dump(by_alias=False),
            member_count=member_count,
            version=team.version,
            is_default_team=team.is_default,
        )


class UserTeams(WireModel):
    teams: list[SimpleTeamDetail]


class TeamCreate(WireModel):
    """AddTeamPayload, for POST and PUT; clients (the Terraform provider) also send a
    `description`, which PUT keeps when it is left out."""

    name: str = Field(max_length=255)
    description: str | None = Field(default=None, max_length=1024)


class TeamMemberRead(WireModel):
    """TeamMember; `verified` is the user's flag (the spec's string type is a known bug)."""

    username: str
    first_name: str
    last_name: str
    display_name: str
    version: int
    verified: bool


class TeamMembers(WireModel):
    self_url: str = Field(alias="_selfUrl")
    team_url: str = Field(alias="_teamUrl")
    members: list[TeamMemberRead]


class TeamMemberAdd(WireModel):
    username: str


class TeamMemberRemove(WireModel):
    """RemoveTeamMemberPayload: who takes over the member's rotations and policy entries."""

    replacement: str | None = None


class TeamAdmin(WireModel):
    username: str
    first_name: str
    last_name: str
    self_url: str = Field(alias="_selfUrl")

    @classmethod
    def of(cls, user: User) -> TeamAdmin:
        return cls(
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            self_url=user_url(user.username),
        )


class TeamAdmins(WireModel):
    team_admins: list[TeamAdmin]
