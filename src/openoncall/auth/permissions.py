"""Who may do what: the one place the API and the web UI ask. Pure: no I/O.

The model is the vendor's (Splunk On-Call "User roles and permissions"): four global roles
(global admin, alert admin, user, stakeholder) and team admin, held per team next to a global
role. `docs/roles.md` shows the table `matrix()` computes from these rules; a test keeps the
two equal.

API keys are not people: the vendor's keys act for the whole organization, so a full-access
key passes every check here (callers pass no actor); only the users a request names, such as
the acting `userName` of an incident command, are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from openoncall.errors import Forbidden
from openoncall.users.roles import Role


class Action(StrEnum):
    """Each value completes "… may not <value>" in the refusal."""

    MANAGE_USERS = "add or remove users, or create set-password links"
    MANAGE_ROLES = "change a user's role"
    MANAGE_API_KEYS = "create or revoke API keys"
    MANAGE_TEAMS = "create or delete teams"
    MANAGE_TEAM = "change a team's members, team admins, rotations or escalation policies"
    MANAGE_ALERTING = "change routing keys, alert rules, integrations or outgoing webhooks"
    GLOBAL_MAINTENANCE = "start or end global maintenance mode"
    ROUTING_KEY_MAINTENANCE = "start or end maintenance mode for routing keys"
    RESPOND = "acknowledge, resolve, reroute or open incidents"
    TAKE_ONCALL = "take on-call"
    MANAGE_OVERRIDE = "create or delete a scheduled override for this person"
    ASSIGN_OVERRIDE = "hand a policy of a scheduled override to this person"
    EDIT_PROFILE = "change this person's profile, contact methods or paging policy"


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in person, or the user a request acts for."""

    user_id: int
    role: Role
    team_admin_of: frozenset[int] = frozenset()

    @property
    def is_global_admin(self) -> bool:
        return self.role == Role.GLOBAL_ADMIN


@dataclass(frozen=True, slots=True)
class Target:
    """What an action is on: the teams it belongs to, and the user it is for."""

    teams: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None


NOTHING = Target()

# Global roles beyond global admin that hold an action outright, whatever the target.
_BY_ROLE: dict[Action, frozenset[Role]] = {
    Action.MANAGE_ALERTING: frozenset({Role.ALERT_ADMIN}),
    Action.GLOBAL_MAINTENANCE: frozenset({Role.ALERT_ADMIN}),
    Action.ROUTING_KEY_MAINTENANCE: frozenset({Role.ALERT_ADMIN, Role.USER}),
    Action.RESPOND: frozenset({Role.ALERT_ADMIN, Role.USER}),
    Action.TAKE_ONCALL: frozenset({Role.ALERT_ADMIN, Role.USER}),
}
# Actions a team admin holds for the target's teams.
_BY_TEAM_ADMIN = frozenset(
    {Action.MANAGE_TEAM, Action.MANAGE_OVERRIDE, Action.ASSIGN_OVERRIDE, Action.EDIT_PROFILE}
)
# Actions anyone holds for themselves (the target's user); stakeholders only where listed.
_FOR_ONESELF = frozenset({Action.MANAGE_OVERRIDE, Action.ASSIGN_OVERRIDE, Action.EDIT_PROFILE})
_STAKEHOLDER_FOR_ONESELF = frozenset({Action.EDIT_PROFILE})


def allows(actor: Actor, action: Action, target: Target = NOTHING) -> bool:
    if actor.is_global_admin or actor.role in _BY_ROLE.get(action, frozenset()):
        return True
    stakeholder = actor.role == Role.STAKEHOLDER
    if target.user_id == actor.user_id and action in _FOR_ONESELF:
        return not stakeholder or action in _STAKEHOLDER_FOR_ONESELF
    # Stakeholders are read-only: a team-admin flag left on one grants nothing.
    return (
        action in _BY_TEAM_ADMIN
        and not stakeholder
        and not actor.team_admin_of.isdisjoint(target.teams)
    )


ROLE_NAMES = {
    Role.GLOBAL_ADMIN: "global admin",
    Role.ALERT_ADMIN: "alert admin",
    Role.USER: "user",
    Role.STAKEHOLDER: "stakeholder",
}


def require(
    actor: Actor | None,
    action: Action,
    target: Target = NOTHING,
    *,
    who: str | None = None,
    field: str = "role",
) -> None:
    """403 unless `actor` may; None is a full-access API key, which acts for the organization.

    `who` names the actor in the refusal when it is a user the request names, not the caller."""
    if actor is None or allows(actor, action, target):
        return
    whose = f"{who}'s role" if who else "Your role"
    raise Forbidden(f"{whose} ({ROLE_NAMES[actor.role]}) may not {action.value}", field=field)


# ------------------------------------------------------------------ the documented table

COLUMNS = ("Global admin", "Alert admin", "Team admin", "User", "Stakeholder")
_ME, _MY_TEAM, _OTHER_TEAM = 1, 10, 20


def _cell(actor: Actor, action: Action) -> str:
    if allows(actor, action, Target(teams=frozenset({_OTHER_TEAM}), user_id=2)):
        return "yes"
    if allows(actor, action, Target(teams=frozenset({_MY_TEAM}), user_id=2)):
        return "their teams"
    if allows(actor, action, Target(teams=frozenset({_MY_TEAM}), user_id=_ME)):
        return "own"
    return "no"


def matrix() -> list[tuple[str, list[str]]]:
    """Per action, what each column may do: yes, their teams, own, or no."""
    actors = [
        Actor(_ME, Role.GLOBAL_ADMIN),
        Actor(_ME, Role.ALERT_ADMIN),
        Actor(_ME, Role.USER, frozenset({_MY_TEAM})),
        Actor(_ME, Role.USER),
        Actor(_ME, Role.STAKEHOLDER),
    ]
    return [(action.value, [_cell(a, action) for a in actors]) for action in Action]


def markdown_table() -> str:
    lines = [
        "| Action | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for what, cells in matrix():
        lines.append(f"| {what[0].upper()}{what[1:]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
