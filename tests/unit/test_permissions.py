"""The permission rules (pure), and docs/roles.md showing exactly the table they compute."""

from __future__ import annotations

from pathlib import Path

import pytest

from openoncall.auth.permissions import Action, Actor, Target, allows, markdown_table, require
from openoncall.errors import Forbidden
from openoncall.users.roles import Role

DOCS = Path(__file__).parents[2] / "docs" / "roles.md"
OPS, DEV = 1, 2
TEAM_ADMIN = Actor(user_id=10, role=Role.USER, team_admin_of=frozenset({OPS}))


def test_docs_show_the_computed_table() -> None:
    assert markdown_table() in DOCS.read_text(), "regenerate the table: see docs/roles.md"


def test_a_team_admin_acts_for_their_team_only() -> None:
    ops_member = Target(teams=frozenset({OPS}), user_id=11)
    dev_member = Target(teams=frozenset({DEV}), user_id=12)
    for action in (Action.MANAGE_OVERRIDE, Action.MANAGE_TEAM, Action.EDIT_PROFILE):
        assert allows(TEAM_ADMIN, action, ops_member)
        assert not allows(TEAM_ADMIN, action, dev_member)
    assert not allows(TEAM_ADMIN, Action.GLOBAL_MAINTENANCE)


def test_a_stakeholders_team_admin_flag_grants_nothing() -> None:
    stakeholder = Actor(user_id=10, role=Role.STAKEHOLDER, team_admin_of=frozenset({OPS}))
    assert not allows(stakeholder, Action.MANAGE_TEAM, Target(teams=frozenset({OPS})))
    assert not allows(stakeholder, Action.MANAGE_OVERRIDE, Target(user_id=10))
    assert allows(stakeholder, Action.EDIT_PROFILE, Target(user_id=10))


def test_the_refusal_names_role_action_and_who() -> None:
    with pytest.raises(Forbidden) as refused:
        require(TEAM_ADMIN, Action.GLOBAL_MAINTENANCE)
    assert refused.value.message == "Your role (user) may not start or end global maintenance mode"
    assert refused.value.field == "role"
    with pytest.raises(Forbidden) as named:
        require(Actor(3, Role.STAKEHOLDER), Action.TAKE_ONCALL, who="sam", field="toUser")
    assert named.value.message == "sam's role (stakeholder) may not take on-call"
    require(None, Action.MANAGE_ROLES)  # a full-access API key: the organization itself
