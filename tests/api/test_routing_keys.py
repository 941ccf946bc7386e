"""Routing keys through HTTP: list (default first), create, validation (NOTES (b))."""

from __future__ import annotations

from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.builders import make_team, make_user, make_user_policy
from tests.conftest import Org, make_org

PATH = "/api-public/v1/org/routing-keys"


def _two_policies(container: Container, org: Org) -> tuple[list[str], str]:
    """Policies "Primary" and "Backup" of team Database: their slugs and the team's."""
    with container.sessions.transaction() as session:
        team = make_team(session, org.org_id, "Database")
        user = make_user(session, org.org_id, "dba")
        first = make_user_policy(session, team, [user], name="Primary")
        second = make_user_policy(session, team, [user], name="Backup")
        return [first.slug, second.slug], team.slug


def test_default_key_exists_from_the_start(api: TestClient) -> None:
    response = api.get(PATH)
    assert response.status_code == 200
    assert response.json() == {
        "_selfUrl": PATH,
        "routingKeys": [{"routingKey": "default", "isDefault": True, "targets": []}],
    }


def test_create_key_with_policy_targets_and_list_it(
    api: TestClient, org: Org, container: Container
) -> None:
    slugs, team_slug = _two_policies(container, org)

    response = api.post(PATH, json={"routingKey": "DB", "targets": slugs})
    assert response.status_code == 200
    assert response.json() == {"routingKey": "DB", "targets": slugs}
    # Keys are case-sensitive: "db" is another key.
    response = api.post(PATH, json={"routingKey": "db", "targets": []})
    assert response.json() == {"routingKey": "db", "targets": []}

    team_url = f"/api-public/v1/team/{team_slug}"
    assert api.get(PATH).json() == {
        "_selfUrl": PATH,
        "routingKeys": [
            {"routingKey": "default", "isDefault": True, "targets": []},
            {
                "routingKey": "DB",
                "isDefault": False,
                "targets": [
                    {"policyName": "Primary", "policySlug": slugs[0], "_teamUrl": team_url},
                    {"policyName": "Backup", "policySlug": slugs[1], "_teamUrl": team_url},
                ],
            },
            {"routingKey": "db", "isDefault": False, "targets": []},
        ],
    }


def test_targets_may_be_policy_slug_objects_or_strings_mixed(
    api: TestClient, org: Org, container: Container
) -> None:
    slugs, _ = _two_policies(container, org)
    body = {"routingKey": "db", "targets": [{"policySlug": slugs[0]}, slugs[1]]}
    response = api.post(PATH, json=body)
    assert (response.status_code, response.json()) == (200, {"routingKey": "db", "targets": slugs})
    listed = api.get(PATH).json()["routingKeys"][1]
    assert [t["policySlug"] for t in listed["targets"]] == slugs
    response = api.post(PATH, json={"routingKey": "x", "targets": [{"policySlug": "pol-nope"}]})
    assert (response.status_code, response.json()["field"]) == (404, "targets")
    response = api.post(PATH, json={"routingKey": "y", "targets": [{"slug": slugs[0]}]})
    assert response.status_code == 400
    assert response.json()["field"].startswith("targets.0")
    assert [k["routingKey"] for k in api.get(PATH).json()["routingKeys"]] == ["default", "db"]


def test_bad_keys_are_refused_and_nothing_is_written(api: TestClient) -> None:
    cases = [
        ({"routingKey": "", "targets": []}, 400, "routingKey must not be empty", "routingKey"),
        (
            {"routingKey": "a b", "targets": []},
            400,
            "routingKey must be at most 255 characters, without spaces or '/'",
            "routingKey",
        ),
        (
            {"routingKey": "x", "targets": ["pol-nope"]},
            404,
            "Escalation policy pol-nope not found",
            "targets",
        ),
        ({"targets": []}, 400, "Missing field: routingKey", "routingKey"),
    ]
    for body, status, message, field in cases:
        response = api.post(PATH, json=body)
        assert response.status_code == status, body
        assert response.json() == {"error": message, "message": message, "field": field}
    api.post(PATH, json={"routingKey": "ops"})
    response = api.post(PATH, json={"routingKey": "ops"})
    assert response.status_code == 422
    assert response.json() == {
        "error": "Routing key ops already exists",
        "message": "Routing key ops already exists",
        "field": "routingKey",
    }
    assert [k["routingKey"] for k in api.get(PATH).json()["routingKeys"]] == ["default", "ops"]


def test_other_orgs_policies_and_keys_are_invisible(
    api: TestClient, org: Org, container: Container
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    with container.sessions.transaction() as session:
        team = make_team(session, other.org_id, "Theirs")
        user = make_user(session, other.org_id, "them")
        policy_slug = make_user_policy(session, team, [user]).slug
    response = api.post(PATH, json={"routingKey": "x", "targets": [policy_slug]})
    assert response.status_code == 404
    api.post(PATH, json={"routingKey": "mine"}, headers=org.headers)
    response = api.get(PATH, headers=other.headers)
    assert response.json() == {
        "_selfUrl": PATH,
        "routingKeys": [{"routingKey": "default", "isDefault": True, "targets": []}],
    }
