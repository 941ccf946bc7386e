"""Escalation policies: create, get, list, the deprecated team list, delete and validation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.audit.models import AuditEvent
from openoncall.container import Container
from tests.api.scheduling_builders import make_rotation_group, make_team, make_user, make_webhook
from tests.conftest import T0, Org, make_org

POLICIES = "/api-public/v1/policies"


@pytest.fixture
def ground(container: Container, org: Org) -> dict[str, str]:
    make_user(container, org.org_id, "alice", "Alice", "Archer")
    make_user(container, org.org_id, "bob", "Bob", "Baker")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    other = make_team(container, org.org_id, "Web", ["bob"])
    return {
        "team": team,
        "other": other,
        "rtg": make_rotation_group(container, org.org_id, team, "Primary"),
        "other_rtg": make_rotation_group(container, org.org_id, other, "Web primary"),
        "webhook": make_webhook(container, org.org_id, "Status page"),
    }


def _simple(team: str, name: str = "Ops policy") -> dict[str, Any]:
    return {
        "name": name,
        "teamSlug": team,
        "steps": [
            {"timeout": 0, "entries": [{"executionType": "user", "user": {"username": "bob"}}]}
        ],
    }


def test_create_policy_with_every_entry_type_returns_it_whole(
    api: TestClient, ground: dict[str, str]
) -> None:
    target = api.post(POLICIES, json=_simple(ground["team"], "Fallback")).json()["slug"]
    body = {
        "name": "Ops critical",
        "teamSlug": ground["team"],
        "ignoreCustomPagingPolicies": True,
        "steps": [
            {
                "timeout": 0,
                "entries": [
                    {"executionType": "rotation_group", "rotationGroup": {"slug": ground["rtg"]}},
                    {"executionType": "user", "user": {"username": "alice"}},
                ],
            },
            {
                "timeout": 15,
                "entries": [
                    {
                        "executionType": "rotation_group_next",
                        "rotationGroup": {"slug": ground["rtg"]},
                    },
                    {
                        "executionType": "rotation_group_previous",
                        "rotationGroup": {"slug": ground["rtg"]},
                    },
                    {"executionType": "email", "email": {"address": "noc@example.com"}},
                    {"executionType": "webhook", "webhook": {"slug": ground["webhook"]}},
                ],
            },
            {
                "timeout": 30,
                "entries": [
                    {"executionType": "policy_routing", "targetPolicy": {"policySlug": target}},
                    # Beyond the Swagger: the live service's eighth type, the policy's team.
                    {"executionType": "team_page"},
                ],
            },
        ],
    }
    r = api.post(POLICIES, json=body)
    assert r.status_code == 200, r.text
    slug = r.json()["slug"]
    assert slug.startswith("pol-")
    assert len(slug) == 20
    expected = {
        "name": "Ops critical",
        "slug": slug,
        "teamSlug": ground["team"],
        "ignoreCustomPagingPolicies": True,
        "steps": [
            {
                "timeout": 0,
                "entries": [
                    {
                        "executionType": "rotation_group",
                        "rotationGroup": {"slug": ground["rtg"], "label": "Primary"},
                    },
                    {
                        "executionType": "user",
                        "user": {"username": "alice", "firstName": "Alice", "lastName": "Archer"},
                    },
                ],
            },
            {
                "timeout": 15,
                "entries": [
                    {
                        "executionType": "rotation_group_next",
                        "rotationGroup": {"slug": ground["rtg"], "label": "Primary"},
                    },
                    {
                        "executionType": "rotation_group_previous",
                        "rotationGroup": {"slug": ground["rtg"], "label": "Primary"},
                    },
                    {"executionType": "email", "email": {"address": "noc@example.com"}},
                    {
                        "executionType": "webhook",
                        "webhook": {"slug": ground["webhook"], "label": "Status page"},
                    },
                ],
            },
            {
                "timeout": 30,
                "entries": [
                    {"executionType": "policy_routing", "targetPolicy": {"policySlug": target}},
                    # Beyond the Swagger: the live service's eighth type, the policy's team.
                    {"executionType": "team_page"},
                ],
            },
        ],
    }
    assert r.json() == expected
    got = api.get(f"{POLICIES}/{slug}")
    assert got.status_code == 200
    assert got.json() == expected


def test_create_tolerates_team_object_instead_of_team_slug(
    api: TestClient, ground: dict[str, str]
) -> None:
    body = _simple(ground["team"])
    del body["teamSlug"]
    body["team"] = {"slug": ground["team"]}
    r = api.post(POLICIES, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["teamSlug"] == ground["team"]


def test_list_and_deprecated_team_list_show_policy_with_team(
    api: TestClient, ground: dict[str, str]
) -> None:
    ops = api.post(POLICIES, json=_simple(ground["team"], "Ops policy")).json()["slug"]
    web = api.post(POLICIES, json=_simple(ground["other"], "Web policy")).json()["slug"]
    r = api.get(POLICIES)
    assert r.status_code == 200
    assert r.json() == {
        "policies": [
            {
                "policy": {"name": "Ops policy", "slug": ops, "_selfUrl": f"{POLICIES}/{ops}"},
                "team": {"name": "Ops", "slug": ground["team"]},
            },
            {
                "policy": {"name": "Web policy", "slug": web, "_selfUrl": f"{POLICIES}/{web}"},
                "team": {"name": "Web", "slug": ground["other"]},
            },
        ]
    }
    r = api.get(f"/api-public/v1/team/{ground['other']}/policies")
    assert r.status_code == 200
    assert r.json() == {
        "policies": [
            {
                "policy": {"name": "Web policy", "slug": web, "_selfUrl": f"{POLICIES}/{web}"},
                "team": {"name": "Web", "slug": ground["other"]},
            }
        ]
    }
    r = api.get("/api-public/v1/team/team-nope/policies")
    assert r.status_code == 404
    assert r.json() == {
        "error": "Team not found: team-nope",
        "message": "Team not found: team-nope",
        "field": "team",
    }


@pytest.mark.parametrize(
    ("entry", "status", "field", "message"),
    [
        (
            {"executionType": "rotation_group", "rotationGroup": {"slug": "rtg-missing"}},
            404,
            "steps[0].entries[0].rotationGroup.slug",
            "Rotation group not found: rtg-missing",
        ),
        (
            {"executionType": "user", "user": {"username": "nobody"}},
            404,
            "steps[0].entries[0].user.username",
            "User not found: nobody",
        ),
        (
            {"executionType": "policy_routing", "targetPolicy": {"policySlug": "pol-missing"}},
            404,
            "steps[0].entries[0].targetPolicy.policySlug",
            "Escalation policy not found: pol-missing",
        ),
        (
            {"executionType": "email", "email": {"address": "not-an-address"}},
            400,
            "steps[0].entries[0].email.address",
            "Invalid email address: not-an-address",
        ),
        (
            {"executionType": "webhook", "webhook": {"slug": "wh-missing"}},
            404,
            "steps[0].entries[0].webhook.slug",
            "Webhook not found: wh-missing",
        ),
        (
            {"executionType": "webhook"},
            400,
            "steps[0].entries[0].webhook.slug",
            "Missing field: steps[0].entries[0].webhook.slug",
        ),
        (
            {"executionType": "rotation_group_next", "user": {"username": "bob"}},
            400,
            "steps[0].entries[0].rotationGroup.slug",
            "Missing field: steps[0].entries[0].rotationGroup.slug",
        ),
    ],
    ids=[
        "unknown-rotation",
        "unknown-user",
        "unknown-target",
        "bad-email",
        "unknown-webhook",
        "no-webhook",
        "wrong-object",
    ],
)
def test_create_with_bad_entry_names_the_field_and_writes_nothing(
    api: TestClient,
    ground: dict[str, str],
    *,
    entry: dict[str, Any],
    status: int,
    field: str,
    message: str,
) -> None:
    body = {
        "name": "Broken",
        "teamSlug": ground["team"],
        "steps": [{"timeout": 0, "entries": [entry]}],
    }
    r = api.post(POLICIES, json=body)
    assert r.status_code == status
    assert r.json() == {"error": message, "message": message, "field": field}
    assert api.get(POLICIES).json() == {"policies": []}


def test_create_refuses_rotation_group_of_another_team(
    api: TestClient, ground: dict[str, str]
) -> None:
    entry = {"executionType": "rotation_group", "rotationGroup": {"slug": ground["other_rtg"]}}
    body = {"name": "X", "teamSlug": ground["team"], "steps": [{"timeout": 5, "entries": [entry]}]}
    r = api.post(POLICIES, json=body)
    assert r.status_code == 400
    assert r.json() == {
        "error": f"Rotation group {ground['other_rtg']} belongs to another team",
        "message": f"Rotation group {ground['other_rtg']} belongs to another team",
        "field": "steps[0].entries[0].rotationGroup.slug",
    }


def test_create_with_unknown_team_or_missing_fields_is_refused(
    api: TestClient, ground: dict[str, str]
) -> None:
    r = api.post(POLICIES, json=_simple("team-missing"))
    assert r.status_code == 404
    assert r.json() == {
        "error": "Team not found: team-missing",
        "message": "Team not found: team-missing",
        "field": "teamSlug",
    }
    r = api.post(POLICIES, json={"name": "X", "steps": []})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: teamSlug",
        "message": "Missing field: teamSlug",
        "field": "teamSlug",
    }
    r = api.post(POLICIES, json={"name": "X", "teamSlug": ground["team"]})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: steps",
        "message": "Missing field: steps",
        "field": "steps",
    }
    bad_type = {"executionType": "carrier_pigeon"}
    r = api.post(
        POLICIES,
        json={
            "name": "X",
            "teamSlug": ground["team"],
            "steps": [{"timeout": 1, "entries": [bad_type]}],
        },
    )
    assert r.status_code == 400
    assert r.json()["field"] == "steps.0.entries.0.executionType"
    r = api.post(
        POLICIES,
        json={"name": "X", "teamSlug": ground["team"], "steps": [{"timeout": -1, "entries": []}]},
    )
    assert r.status_code == 400
    assert r.json()["field"] == "steps.0.timeout"
    assert api.get(POLICIES).json() == {"policies": []}


def test_delete_policy_then_it_is_gone_and_audited(
    api: TestClient, ground: dict[str, str], container: Container, org: Org
) -> None:
    slug = api.post(POLICIES, json=_simple(ground["team"])).json()["slug"]
    r = api.request("DELETE", f"{POLICIES}/{slug}", json={})
    assert r.status_code == 200
    assert r.json() == {}
    r = api.get(f"{POLICIES}/{slug}")
    assert r.status_code == 404
    assert r.json() == {
        "error": f"Escalation policy not found: {slug}",
        "message": f"Escalation policy not found: {slug}",
        "field": "policy",
    }
    assert api.delete(f"{POLICIES}/{slug}").status_code == 404
    with container.sessions.transaction(write=False) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.org_id == org.org_id).order_by(AuditEvent.id)
        ).all()
        trail = [(e.action, e.subject_id, e.actor, e.at) for e in events]
    # The bootstrap key was made by the admin: the trail names them.
    assert trail == [
        ("policy.create", slug, "admin", T0),
        ("policy.delete", slug, "admin", T0),
    ]


def test_delete_of_a_routing_target_is_refused(api: TestClient, ground: dict[str, str]) -> None:
    target = api.post(POLICIES, json=_simple(ground["team"], "Target")).json()["slug"]
    entry = {"executionType": "policy_routing", "targetPolicy": {"policySlug": target}}
    router = api.post(
        POLICIES,
        json={
            "name": "Router",
            "teamSlug": ground["team"],
            "steps": [{"timeout": 0, "entries": [entry]}],
        },
    ).json()["slug"]
    r = api.delete(f"{POLICIES}/{target}")
    assert r.status_code == 422
    assert r.json() == {
        "error": f"Escalation policy {target} is the routing target of policy {router}",
        "message": f"Escalation policy {target} is the routing target of policy {router}",
        "field": "policy",
    }
    assert api.delete(f"{POLICIES}/{router}").status_code == 200
    assert api.delete(f"{POLICIES}/{target}").status_code == 200


def test_policies_are_immutable_and_private_to_the_org(
    api: TestClient, ground: dict[str, str], container: Container
) -> None:
    slug = api.post(POLICIES, json=_simple(ground["team"])).json()["slug"]
    assert api.put(f"{POLICIES}/{slug}", json=_simple(ground["team"])).status_code == 405
    other = make_org(container, name="Globex")
    r = api.get(f"{POLICIES}/{slug}", headers=other.headers)
    assert r.status_code == 404
    assert api.get(POLICIES, headers=other.headers).json() == {"policies": []}
    assert api.delete(f"{POLICIES}/{slug}", headers=other.headers).status_code == 404
    assert api.get(f"{POLICIES}/{slug}").status_code == 200


def test_a_step_appended_through_the_extension_may_execute_the_policy_itself(
    api: TestClient, ground: dict[str, str]
) -> None:
    slug = api.post(POLICIES, json=_simple(ground["team"])).json()["slug"]
    again = {"executionType": "policy_routing", "targetPolicy": {"policySlug": slug}}
    r = api.post(f"/api-ext/v1/policies/{slug}/steps", json={"timeout": 10, "entries": [again]})
    assert r.status_code == 200, r.text
    assert api.get(f"{POLICIES}/{slug}").json()["steps"][1] == {"timeout": 10, "entries": [again]}
    # A policy that repeats itself is no other policy's routing target: it can be deleted.
    assert api.delete(f"{POLICIES}/{slug}").status_code == 200


def test_appending_a_bad_step_names_the_field_and_writes_nothing(
    api: TestClient, ground: dict[str, str]
) -> None:
    slug = api.post(POLICIES, json=_simple(ground["team"])).json()["slug"]
    missing = {"executionType": "policy_routing", "targetPolicy": {"policySlug": "pol-missing"}}
    r = api.post(f"/api-ext/v1/policies/{slug}/steps", json={"timeout": 0, "entries": [missing]})
    assert r.status_code == 404
    assert r.json()["field"] == "entries[0].targetPolicy.policySlug"
    assert len(api.get(f"{POLICIES}/{slug}").json()["steps"]) == 1
    r = api.post("/api-ext/v1/policies/pol-nope/steps", json={"timeout": 0, "entries": []})
    assert r.status_code == 404
    assert r.json()["field"] == "policy"
