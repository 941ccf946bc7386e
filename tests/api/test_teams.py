"""The teams API: /api-public/v1/team…, members (with replacement on removal) and admins."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.policies.models import EscalationEntry
from openoncall.rotations.models import RotationMember
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User
from tests.builders import add_member, make_rotation, make_team, make_user, make_user_policy
from tests.conftest import Org, make_org

V1 = "/api-public/v1/team"


def team_json(
    slug: str,
    name: str,
    *,
    members: int = 0,
    version: int = 0,
    default: bool = False,
    description: str = "",
) -> dict[str, Any]:
    base = f"{V1}/{slug}"
    return {
        "name": name,
        "slug": slug,
        "description": description,
        "_selfUrl": base,
        "_membersUrl": f"{base}/members",
        "_policiesUrl": f"{base}/policies",
        "_adminsUrl": f"{base}/admins",
        "memberCount": members,
        "version": version,
        "isDefaultTeam": default,
    }


def member_json(
    username: str, first: str = "Jane", last: str = "Doe", *, version: int = 0
) -> dict[str, Any]:
    return {
        "username": username,
        "firstName": first,
        "lastName": last,
        "displayName": f"{first} {last}".strip() or username,
        "version": version,
        "verified": False,
    }


def test_list_is_a_bare_array(api: TestClient) -> None:
    r = api.get(V1)
    assert r.status_code == 200
    assert r.json() == []


def test_add_team_answers_the_team_and_lists_it(api: TestClient) -> None:
    r = api.post(V1, json={"name": "Ops"})
    assert r.status_code == 200
    slug = r.json()["slug"]
    assert slug.startswith("team-")
    assert r.json() == team_json(slug, "Ops")
    assert api.get(f"{V1}/{slug}").json() == team_json(slug, "Ops")
    dev = api.post(V1, json={"name": "Dev"}).json()["slug"]
    assert api.get(V1).json() == [team_json(dev, "Dev"), team_json(slug, "Ops")]


def test_add_team_when_name_taken_is_422(api: TestClient) -> None:
    api.post(V1, json={"name": "Ops"})
    r = api.post(V1, json={"name": "Ops"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "Team name Ops is unavailable",
        "message": "Team name Ops is unavailable",
        "field": "name",
    }
    assert len(api.get(V1).json()) == 1


def test_add_team_with_bad_input_is_400_naming_the_field(api: TestClient) -> None:
    r = api.post(V1, json={})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: name",
        "message": "Missing field: name",
        "field": "name",
    }
    r = api.post(V1, json={"name": "   "})
    assert r.status_code == 400
    assert r.json() == {
        "error": "name must not be empty",
        "message": "name must not be empty",
        "field": "name",
    }
    r = api.post(V1, json={"name": 42})
    assert r.status_code == 400
    assert r.json()["field"] == "name"
    assert api.get(V1).json() == []


def test_rename_team_bumps_its_version(api: TestClient) -> None:
    slug = api.post(V1, json={"name": "Ops"}).json()["slug"]
    r = api.put(f"{V1}/{slug}", json={"name": "SRE"})
    assert r.status_code == 200
    assert r.json() == team_json(slug, "SRE", version=1)
    assert api.put(f"{V1}/{slug}", json={"name": "SRE"}).json() == team_json(slug, "SRE", version=1)


def test_description_is_kept_on_create_and_put_and_kept_when_left_out(api: TestClient) -> None:
    r = api.post(V1, json={"name": "Ops", "description": "Runs the databases.\nAll of them."})
    assert r.status_code == 200
    slug = r.json()["slug"]
    said = "Runs the databases.\nAll of them."
    assert r.json() == team_json(slug, "Ops", description=said)
    assert api.get(f"{V1}/{slug}").json() == team_json(slug, "Ops", description=said)
    r = api.put(f"{V1}/{slug}", json={"name": "SRE"})
    assert r.json() == team_json(slug, "SRE", version=1, description=said)
    r = api.put(f"{V1}/{slug}", json={"name": "SRE", "description": "Keeps it up"})
    assert r.json() == team_json(slug, "SRE", version=2, description="Keeps it up")
    assert api.get(V1).json() == [team_json(slug, "SRE", version=2, description="Keeps it up")]
    for body, field in [
        ({"name": "X", "description": "a\u0007b"}, "description"),
        ({"name": "X", "description": "d" * 1025}, "description"),
    ]:
        r = api.post(V1, json=body)
        assert (r.status_code, r.json()["field"]) == (400, field)
    assert [t["name"] for t in api.get(V1).json()] == ["SRE"]


def test_rename_team_to_a_taken_name_is_422(api: TestClient) -> None:
    slug = api.post(V1, json={"name": "Ops"}).json()["slug"]
    api.post(V1, json={"name": "Dev"})
    r = api.put(f"{V1}/{slug}", json={"name": "Dev"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "Team name Dev is unavailable",
        "message": "Team name Dev is unavailable",
        "field": "name",
    }
    assert api.get(f"{V1}/{slug}").json()["name"] == "Ops"


def test_delete_team_answers_an_empty_object(api: TestClient) -> None:
    slug = api.post(V1, json={"name": "Ops"}).json()["slug"]
    r = api.request("DELETE", f"{V1}/{slug}", json={})
    assert r.status_code == 200
    assert r.json() == {}
    assert api.get(f"{V1}/{slug}").status_code == 404
    assert api.get(V1).json() == []


def test_unknown_team_is_404_everywhere(api: TestClient) -> None:
    expected = {"error": "Team not found", "message": "Team not found", "field": "team"}
    calls: list[tuple[str, str, Any]] = [
        ("GET", "", None),
        ("PUT", "", {"name": "X"}),
        ("DELETE", "", None),
        ("GET", "/members", None),
        ("POST", "/members", {"username": "admin"}),
        ("DELETE", "/members/admin", {"replacement": "admin"}),
        ("GET", "/admins", None),
    ]
    for method, suffix, body in calls:
        r = api.request(method, f"{V1}/team-nope{suffix}", json=body)
        assert r.status_code == 404, (method, suffix)
        assert r.json() == expected


def test_teams_of_another_org_are_invisible(
    api: TestClient, container: Container, client: TestClient
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    slug = client.post(V1, json={"name": "Ops"}, headers=other.headers).json()["slug"]
    assert api.get(f"{V1}/{slug}").status_code == 404
    assert api.get(V1).json() == []
    # Team names are per organization.
    assert api.post(V1, json={"name": "Ops"}).status_code == 200


def test_members_add_list_and_count(api: TestClient, org: Org, container: Container) -> None:
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe")
    slug = api.post(V1, json={"name": "Ops"}).json()["slug"]
    r = api.post(f"{V1}/{slug}/members", json={"username": "jdoe"})
    assert r.status_code == 200
    expected = {
        "_selfUrl": f"{V1}/{slug}/members",
        "_teamUrl": f"{V1}/{slug}",
        "members": [member_json("jdoe")],
    }
    assert r.json() == expected
    assert api.get(f"{V1}/{slug}/members").json() == expected
    # Adding a member again changes nothing.
    assert api.post(f"{V1}/{slug}/members", json={"username": "jdoe"}).json() == expected
    assert api.get(f"{V1}/{slug}").json() == team_json(slug, "Ops", members=1)


def test_add_unknown_member_is_404(api: TestClient) -> None:
    slug = api.post(V1, json={"name": "Ops"}).json()["slug"]
    r = api.post(f"{V1}/{slug}/members", json={"username": "ghost"})
    assert r.status_code == 404
    assert r.json() == {"error": "User not found", "message": "User not found", "field": "username"}
    r = api.post(f"{V1}/{slug}/members", json={})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: username",
        "message": "Missing field: username",
        "field": "username",
    }


def test_admins_are_the_members_flagged_admin(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        boss = make_user(session, org.org_id, "boss", first_name="Big", last_name="Boss")
        jdoe = make_user(session, org.org_id, "jdoe")
        ops = make_team(session, org.org_id, "Ops")
        add_member(session, ops, boss, is_admin=True)
        add_member(session, ops, jdoe)
        slug = ops.slug
    r = api.get(f"{V1}/{slug}/admins")
    assert r.status_code == 200
    assert r.json() == {
        "teamAdmins": [
            {
                "username": "boss",
                "firstName": "Big",
                "lastName": "Boss",
                "_selfUrl": "/api-public/v1/user/boss",
            }
        ]
    }


def _team_with_duties(container: Container, org: Org) -> str:
    """jdoe is an admin of Ops, in its rotation and in its policy; rick is a plain user."""
    with container.sessions.transaction() as session:
        jdoe = make_user(session, org.org_id, "jdoe")
        make_user(session, org.org_id, "rick", first_name="Rick", last_name="Roe")
        ops = make_team(session, org.org_id, "Ops")
        add_member(session, ops, jdoe, is_admin=True)
        make_rotation(session, ops, [jdoe])
        make_user_policy(session, ops, [jdoe])
        return ops.slug


def _duty_holders(container: Container) -> tuple[list[str], list[str]]:
    with container.sessions.transaction(write=False) as session:
        slots = session.scalars(
            select(User.username).join(RotationMember, RotationMember.user_id == User.id)
        ).all()
        entries = session.scalars(
            select(User.username).join(EscalationEntry, EscalationEntry.user_id == User.id)
        ).all()
    return list(slots), list(entries)


def test_remove_member_hands_duties_to_the_replacement(
    api: TestClient, org: Org, container: Container
) -> None:
    slug = _team_with_duties(container, org)
    r = api.request("DELETE", f"{V1}/{slug}/members/jdoe", json={"replacement": "rick"})
    assert r.status_code == 200
    assert r.json() == {}
    # rick joined with the rotation slot, then was promoted to admin: version 1.
    members = api.get(f"{V1}/{slug}/members").json()["members"]
    assert members == [member_json("rick", "Rick", "Roe", version=1)]
    assert api.get(f"{V1}/{slug}/admins").json()["teamAdmins"][0]["username"] == "rick"
    assert _duty_holders(container) == (["rick"], ["rick"])


def test_remove_member_with_duties_and_no_replacement_is_422(
    api: TestClient, org: Org, container: Container
) -> None:
    slug = _team_with_duties(container, org)
    bodies: list[dict[str, str] | None] = [None, {}]
    for body in bodies:
        r = api.request("DELETE", f"{V1}/{slug}/members/jdoe", json=body)
        assert r.status_code == 422
        assert r.json() == {
            "error": "A replacement is required: jdoe is in rotations or escalation policies "
            "of team Ops",
            "message": "A replacement is required: jdoe is in rotations or escalation policies "
            "of team Ops",
            "field": "replacement",
        }
    assert _duty_holders(container) == (["jdoe"], ["jdoe"])


def test_remove_member_with_unknown_replacement_is_422(
    api: TestClient, org: Org, container: Container
) -> None:
    slug = _team_with_duties(container, org)
    r = api.request("DELETE", f"{V1}/{slug}/members/jdoe", json={"replacement": "ghost"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "Replacement user ghost not found",
        "message": "Replacement user ghost not found",
        "field": "replacement",
    }
    r = api.request("DELETE", f"{V1}/{slug}/members/jdoe", json={"replacement": "jdoe"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "A user cannot replace themselves",
        "message": "A user cannot replace themselves",
        "field": "replacement",
    }


def test_remove_member_without_duties_needs_no_replacement(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        jdoe = make_user(session, org.org_id, "jdoe")
        ops = make_team(session, org.org_id, "Ops")
        add_member(session, ops, jdoe)
        slug = ops.slug
    r = api.delete(f"{V1}/{slug}/members/jdoe")
    assert r.status_code == 200
    assert r.json() == {}
    assert api.get(f"{V1}/{slug}/members").json()["members"] == []


def test_remove_a_non_member_is_404(api: TestClient, org: Org, container: Container) -> None:
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe")
        slug = make_team(session, org.org_id, "Ops").slug
    r = api.delete(f"{V1}/{slug}/members/jdoe")
    assert r.status_code == 404
    assert r.json() == {
        "error": "User jdoe is not a member of team Ops",
        "message": "User jdoe is not a member of team Ops",
        "field": "user",
    }
    r = api.delete(f"{V1}/{slug}/members/ghost")
    assert r.status_code == 404
    assert r.json() == {"error": "User not found", "message": "User not found", "field": "user"}


def test_deleting_a_team_removes_its_memberships(
    api: TestClient, org: Org, container: Container
) -> None:
    slug = _team_with_duties(container, org)
    assert api.delete(f"{V1}/{slug}").status_code == 200
    with container.sessions.transaction(write=False) as session:
        assert session.scalars(select(TeamMember)).all() == []
        assert session.scalars(select(Team)).all() == []
    assert api.get("/api-public/v1/user/jdoe/teams").json() == {"teams": []}


def test_nul_and_control_characters_are_400_or_404_never_500(api: TestClient) -> None:
    r = api.post(V1, json={"name": "O\x00ps"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "name must not contain control characters",
        "message": "name must not contain control characters",
        "field": "name",
    }
    r = api.get(f"{V1}/team-%00")
    assert r.status_code == 404
    assert r.json() == {"error": "Team not found", "message": "Team not found", "field": "team"}
