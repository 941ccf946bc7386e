"""Roles in the web UI: each signed-in person may do what their role allows (docs/roles.md).

The cast: admin (global admin, bootstrapped), ada (alert admin), alice (user, Ops), bob (user,
Ops team admin), carol (user, Dev), sam (stakeholder). Every refusal is a 403 page naming the
role and the action, and changes nothing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.incidents.models import Incident, Phase
from openoncall.maintenance.models import MaintenanceMode
from openoncall.overrides.models import ScheduledOverride
from openoncall.teams import service as teams
from openoncall.teams.models import TeamMember
from openoncall.users.models import Role, User
from tests.api.incident_builders import make_policy, open_alert_incident
from tests.api.scheduling_builders import ShiftSpec, make_rotation, make_team
from tests.api.scheduling_builders import make_policy as make_rotation_policy
from tests.conftest import Org
from tests.engine.conftest import add_routing_key
from tests.web.conftest import add_user, sign_in

OVERRIDE_FORM = {"timezone": "UTC", "start": "2026-01-06T09:00", "end": "2026-01-06T17:00"}


@dataclass(frozen=True)
class Cast:
    ops: str
    dev: str


@pytest.fixture
def cast(api: TestClient, container: Container, org: Org) -> Cast:
    add_user(container, org, "ada", role=Role.ALERT_ADMIN)
    for name in ("alice", "bob", "carol"):
        add_user(container, org, name)
    add_user(container, org, "sam", role=Role.STAKEHOLDER)
    ops = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    dev = make_team(container, org.org_id, "Dev", ["carol"])
    with container.sessions.transaction() as session:
        teams.set_team_admin(session, org.org_id, ops, "bob", is_admin=True)
    add_routing_key(api, "db", [make_policy(container, org.org_id, ops, "Ops policy")])
    return Cast(ops=ops, dev=dev)


def _refused(response_text: str, status: int, role: str, doing: str) -> None:
    assert status == 403, response_text
    assert f"({role}) may not {doing}" in html.unescape(response_text)


def _maintenance(container: Container) -> list[MaintenanceMode]:
    with container.sessions.transaction() as session:
        return list(session.scalars(select(MaintenanceMode)))


def _override_for(api: TestClient, username: str) -> str:
    r = api.post("/api-public/v1/overrides", json={"username": username, **OVERRIDE_FORM})
    assert r.status_code == 200, r.text
    public_id: str = r.json()["schedule"]["publicId"]
    return public_id


def _overrides(container: Container) -> set[str]:
    with container.sessions.transaction() as session:
        return set(session.scalars(select(ScheduledOverride.public_id)))


def test_a_user_cannot_start_global_maintenance(
    api: TestClient, container: Container, cast: Cast
) -> None:
    csrf = sign_in(api, "alice")
    page = api.get("/maintenance").text
    assert "tick at least one" in page  # the form says so before the server refuses
    refused = api.post("/maintenance", data={"purpose": "deploy", "csrf_token": csrf})
    _refused(refused.text, refused.status_code, "user", "start or end global maintenance mode")
    htmx = api.post("/maintenance", data={"csrf_token": csrf}, headers={"HX-Request": "true"})
    assert htmx.status_code == 403
    assert _maintenance(container) == []
    # Muting a routing key for a deploy stays open to every responder.
    muted = api.post(
        "/maintenance", data={"keys": ["db"], "csrf_token": csrf}, follow_redirects=False
    )
    assert muted.status_code == 303, muted.text
    [row] = _maintenance(container)
    assert not row.is_global


def test_a_stakeholder_cannot_mute_routing_keys(
    api: TestClient, container: Container, cast: Cast
) -> None:
    csrf = sign_in(api, "sam")
    assert "Start maintenance" not in api.get("/maintenance").text
    refused = api.post("/maintenance", data={"keys": ["db"], "csrf_token": csrf})
    _refused(refused.text, refused.status_code, "stakeholder", "start or end maintenance mode for")
    assert _maintenance(container) == []


def test_only_global_and_alert_admins_end_global_maintenance(
    api: TestClient, container: Container, cast: Cast
) -> None:
    csrf = sign_in(api, "ada")
    started = api.post("/maintenance", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303, started.text
    [row] = _maintenance(container)
    assert row.is_global
    csrf = sign_in(api, "alice")
    assert "End maintenance" not in api.get("/maintenance").text
    refused = api.post(f"/maintenance/{row.instance_id}/end", data={"csrf_token": csrf})
    _refused(refused.text, refused.status_code, "user", "start or end global maintenance mode")
    assert _maintenance(container)[0].ended_at is None
    csrf = sign_in(api, "admin")
    ended = api.post(
        f"/maintenance/{row.instance_id}/end", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert ended.status_code == 303


def test_a_user_cannot_delete_someone_elses_override(
    api: TestClient, container: Container, cast: Cast
) -> None:
    carols = _override_for(api, "carol")
    alices = _override_for(api, "alice")
    csrf = sign_in(api, "alice")
    page = api.get("/overrides").text
    assert f"/overrides/{alices}/delete" in page
    assert f"/overrides/{carols}/delete" not in page
    refused = api.post(f"/overrides/{carols}/delete", data={"csrf_token": csrf})
    _refused(
        refused.text,
        refused.status_code,
        "user",
        "create or delete a scheduled override for this person",
    )
    assert _overrides(container) == {carols, alices}
    own = api.post(f"/overrides/{alices}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert own.status_code == 303
    assert _overrides(container) == {carols}


def test_a_user_cannot_create_an_override_for_someone_else(
    api: TestClient, container: Container, cast: Cast
) -> None:
    csrf = sign_in(api, "alice")
    form = api.get("/overrides").text
    assert '<option value="alice">' in form
    assert '<option value="carol">' not in form.split("Current and upcoming")[0]
    refused = api.post(
        "/overrides", data={"username": "carol", "csrf_token": csrf, **OVERRIDE_FORM}
    )
    _refused(
        refused.text,
        refused.status_code,
        "user",
        "create or delete a scheduled override for this person",
    )
    assert _overrides(container) == set()
    own = api.post(
        "/overrides",
        data={"username": "alice", "csrf_token": csrf, **OVERRIDE_FORM},
        follow_redirects=False,
    )
    assert own.status_code == 303, own.text
    assert len(_overrides(container)) == 1


def test_a_team_admin_manages_overrides_of_their_team_only(
    api: TestClient, container: Container, cast: Cast
) -> None:
    alices = _override_for(api, "alice")
    carols = _override_for(api, "carol")
    csrf = sign_in(api, "bob")
    made = api.post(
        "/overrides",
        data={"username": "alice", "csrf_token": csrf, **OVERRIDE_FORM},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    other_team = api.post(
        "/overrides", data={"username": "carol", "csrf_token": csrf, **OVERRIDE_FORM}
    )
    assert other_team.status_code == 403
    refused = api.post(f"/overrides/{carols}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 403
    deleted = api.post(
        f"/overrides/{alices}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303
    assert carols in _overrides(container)
    assert alices not in _overrides(container)


def test_a_team_admin_changes_their_teams_members_only(
    api: TestClient, container: Container, org: Org, cast: Cast
) -> None:
    csrf = sign_in(api, "bob")
    assert "Add member" in api.get(f"/teams/{cast.ops}").text
    assert "Add member" not in api.get(f"/teams/{cast.dev}").text
    added = api.post(
        f"/teams/{cast.ops}/members",
        data={"username": "carol", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    refused = api.post(f"/teams/{cast.dev}/members", data={"username": "alice", "csrf_token": csrf})
    _refused(refused.text, refused.status_code, "user", "change a team's members")
    csrf = sign_in(api, "alice")  # a plain member of Ops
    member = api.post(
        f"/teams/{cast.ops}/members/carol/admin", data={"admin": "true", "csrf_token": csrf}
    )
    assert member.status_code == 403
    with container.sessions.transaction() as session:
        memberships = session.scalars(
            select(User.username)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.org_id == org.org_id)
        ).all()
    assert sorted(memberships) == ["alice", "bob", "carol", "carol"]


def test_a_stakeholder_cannot_acknowledge(
    api: TestClient, container: Container, org: Org, cast: Cast
) -> None:
    opened = open_alert_incident(container, org.org_id, "disk", users=["alice"])
    csrf = sign_in(api, "sam")
    ack_form = f'action="/incidents/{opened.number}/ack"'
    assert ack_form not in api.get(f"/incidents/{opened.number}").text
    assert f'hx-post="/incidents/{opened.number}/ack"' not in api.get("/timeline").text
    refused = api.post(f"/incidents/{opened.number}/ack", data={"csrf_token": csrf})
    _refused(
        refused.text,
        refused.status_code,
        "stakeholder",
        "acknowledge, resolve, reroute or open incidents",
    )
    with container.sessions.transaction() as session:
        phase = session.scalar(select(Incident.phase).where(Incident.number == opened.number))
    assert phase == Phase.UNACKED
    csrf = sign_in(api, "alice")
    assert ack_form in api.get(f"/incidents/{opened.number}").text
    acked = api.post(
        f"/incidents/{opened.number}/ack", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert acked.status_code == 303, acked.text


def test_global_admins_set_roles_on_the_profile_page(
    api: TestClient, container: Container, org: Org, cast: Cast
) -> None:
    csrf = sign_in(api, "alice")
    assert 'action="/people/carol/role"' not in api.get("/people/carol").text
    refused = api.post("/people/carol/role", data={"role": "global_admin", "csrf_token": csrf})
    _refused(refused.text, refused.status_code, "user", "change a user's role")
    csrf = sign_in(api, "admin")
    assert 'action="/people/carol/role"' in api.get("/people/carol").text
    changed = api.post(
        "/people/carol/role",
        data={"role": "alert_admin", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    assert "alert admin" in api.get("/people/carol").text
    bad = api.post("/people/carol/role", data={"role": "root", "csrf_token": csrf})
    assert bad.status_code == 400
    assert "role" in bad.text
    last = api.post("/people/admin/role", data={"role": "user", "csrf_token": csrf})
    assert last.status_code == 422
    assert "last global admin" in last.text
    with container.sessions.transaction() as session:
        roles = dict(session.execute(select(User.username, User.role)).all())
    assert roles["carol"] == "alert_admin"
    assert roles["admin"] == "global_admin"


def test_anyone_takes_part_of_an_override_but_only_admins_hand_it_to_others(
    api: TestClient, container: Container, org: Org, cast: Cast
) -> None:
    rotation = make_rotation(
        container,
        org.org_id,
        cast.ops,
        "Primary",
        [ShiftSpec("Weekly", "UTC", datetime(2026, 1, 5, 9, 0, tzinfo=UTC), ["alice", "bob"])],
    )
    policy = make_rotation_policy(api, cast.ops, "Ops rotation", [rotation])
    alices = _override_for(api, "alice")  # alice is on call all week: one assignment

    def assign(username: str, csrf: str) -> int:
        r = api.post(
            f"/overrides/{alices}/assign",
            data={"policy": policy, "username": username, "csrf_token": csrf},
            follow_redirects=False,
        )
        return r.status_code

    def stand_in() -> str | None:
        r = api.get(f"/api-public/v1/overrides/{alices}/assignments/{policy}")
        user: str | None = r.json()["user"]
        return user

    csrf = sign_in(api, "carol")  # a user of another team
    assert assign("bob", csrf) == 403
    assert stand_in() is None
    assert assign("carol", csrf) == 303  # taking it for herself
    assert stand_in() == "carol"
    assert assign("", csrf) == 303  # and giving it back
    assert stand_in() is None
    csrf = sign_in(api, "bob")  # Ops team admin
    assert assign("carol", csrf) == 303
    assert stand_in() == "carol"
    csrf = sign_in(api, "sam")
    assert assign("sam", csrf) == 403  # a stakeholder is never on call
    assert stand_in() == "carol"


def test_a_stakeholder_cannot_be_made_a_team_admin(
    api: TestClient, container: Container, cast: Cast
) -> None:
    csrf = sign_in(api, "admin")
    refused = api.post(
        f"/teams/{cast.ops}/members", data={"username": "sam", "admin": "true", "csrf_token": csrf}
    )
    assert refused.status_code == 422
    assert "stakeholders cannot be team admins" in refused.text
    joined = api.post(
        f"/teams/{cast.ops}/members",
        data={"username": "sam", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert joined.status_code == 303
    promoted = api.post(
        f"/teams/{cast.ops}/members/sam/admin", data={"admin": "true", "csrf_token": csrf}
    )
    assert promoted.status_code == 422


def test_a_new_user_gets_the_role_chosen_on_the_people_page(
    api: TestClient, container: Container, cast: Cast
) -> None:
    csrf = sign_in(api, "admin")
    page = api.get("/people").text
    assert '<option value="stakeholder">stakeholder</option>' in page
    made = api.post(
        "/people",
        data={
            "username": "sue",
            "first_name": "Sue",
            "last_name": "Storm",
            "email": "sue@acme.example",
            "role": "stakeholder",
            "csrf_token": csrf,
        },
    )
    assert made.status_code == 201, made.text
    with container.sessions.transaction() as session:
        assert session.scalar(select(User.role).where(User.username == "sue")) == "stakeholder"
    csrf = sign_in(api, "ada")  # an alert admin does not add users
    refused = api.post(
        "/people",
        data={
            "username": "tom",
            "first_name": "Tom",
            "last_name": "Storm",
            "email": "tom@acme.example",
            "csrf_token": csrf,
        },
    )
    _refused(refused.text, refused.status_code, "alert admin", "add or remove users")
