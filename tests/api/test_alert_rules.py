"""Alert rules through HTTP: CRUD in the vendor's shapes, rules rerouting and annotating
real alerts before routing, and the dry-run extension."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.alerts.models import Alert
from openoncall.container import Container
from openoncall.incidents.models import Incident
from tests.builders import make_team, make_user, make_user_policy
from tests.conftest import Org, make_org

PATH = "/api-public/v1/alertRules"
T0_MS = 1767614400000


def rule_body(rule_id: int, annotation_ids: list[int], **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": rule_id,
        "alertField": "entity_id",
        "alertValueMatch": "*",
        "matchType": "WILDCARD",
        "rank": 0,
        "stopFlag": False,
        "lastUpdated": T0_MS,
        "lastUpdatedBy": "admin",
        "notes": "",
        "routeKey": None,
        "annotations": [],
    }
    body.update(fields)
    body["annotations"] = [
        {"id": i, **a} for i, a in zip(annotation_ids, body["annotations"], strict=True)
    ]
    return body


def test_create_list_update_delete(api: TestClient) -> None:
    payload = {
        "alertField": "entity_id",
        "alertValueMatch": "disk/*",
        "matchType": "wildcard",
        "rank": 2,
        "stopFlag": True,
        "notes": "disks go to the DBAs",
        "routingKey": "db",
        "annotations": [
            {
                "annotationType": "u",
                "fieldName": "Runbook",
                "fieldValue": "https://rb/${{entity_id}}",
                "flags": 0,
            },
            {
                "annotationType": "s",
                "fieldName": "state_message",
                "fieldValue": "[disk] ${{state_message}}",
                "flags": 1,
            },
        ],
    }
    response = api.post(PATH, json=payload)
    assert response.status_code == 200
    created = response.json()
    rule_id = created["id"]
    annotation_ids = [a["id"] for a in created["annotations"]]
    expected = rule_body(
        rule_id,
        annotation_ids,
        alertValueMatch="disk/*",
        rank=2,
        stopFlag=True,
        notes="disks go to the DBAs",
        routeKey="db",
        annotations=[
            {
                "annotationType": "u",
                "fieldName": "Runbook",
                "fieldValue": "https://rb/${{entity_id}}",
                "flags": 0,
            },
            {
                "annotationType": "s",
                "fieldName": "state_message",
                "fieldValue": "[disk] ${{state_message}}",
                "flags": 1,
            },
        ],
    )
    assert created == expected

    second = api.post(
        PATH, json={"alertField": "host", "alertValueMatch": "web\\d+", "matchType": "REGEX"}
    )
    assert second.status_code == 200
    second_id = second.json()["id"]
    second_expected = rule_body(
        second_id, [], alertField="host", alertValueMatch="web\\d+", matchType="REGEX"
    )
    assert second.json() == second_expected
    # Listed in run order: rank 0 first.
    assert api.get(PATH).json() == [second_expected, expected]

    response = api.put(
        f"{PATH}/{rule_id}", json={"alertField": "service", "alertValueMatch": "db", "rank": 1}
    )
    assert response.status_code == 200
    assert response.json() == rule_body(
        rule_id, [], alertField="service", alertValueMatch="db", rank=1
    )

    response = api.delete(f"{PATH}/{rule_id}")
    assert response.status_code == 200
    assert response.json() == {"id": rule_id}
    assert api.get(PATH).json() == [second_expected]
    for method in ("put", "delete"):
        response = api.request(
            method.upper(), f"{PATH}/{rule_id}", json={"alertField": "a", "alertValueMatch": "b"}
        )
        assert response.status_code == 404
        assert response.json() == {
            "error": f"Alert rule {rule_id} not found",
            "message": f"Alert rule {rule_id} not found",
            "field": "ruleId",
        }


def test_invalid_rules_are_refused(api: TestClient) -> None:
    cases = [
        ({"alertField": "x", "alertValueMatch": "(", "matchType": "REGEX"}, "alertValueMatch"),
        ({"alertField": "x", "alertValueMatch": "a", "matchType": "FUZZY"}, "matchType"),
        ({"alertField": "", "alertValueMatch": "a"}, "alertField"),
        ({"alertField": "x", "alertValueMatch": "a", "rank": -1}, "rank"),
        (
            {
                "alertField": "x",
                "alertValueMatch": "a",
                "annotations": [{"annotationType": "z", "fieldName": "n"}],
            },
            "annotations.0.annotationType",
        ),
        ({"alertValueMatch": "a"}, "alertField"),
    ]
    for body, field in cases:
        response = api.post(PATH, json=body)
        assert response.status_code == 400, body
        assert response.json()["field"] == field
    assert api.get(PATH).json() == []


def test_rules_transform_annotate_and_reroute_alerts(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        team = make_team(session, org.org_id, "Database")
        policy_slug = make_user_policy(session, team, [make_user(session, org.org_id, "dba")]).slug
    api.post("/api-public/v1/org/routing-keys", json={"routingKey": "db", "targets": [policy_slug]})
    api.post(
        PATH,
        json={
            "alertField": "entity_id",
            "alertValueMatch": "DISK/*",  # wildcard matching ignores case
            "routingKey": "db",
            "rank": 0,
            "annotations": [
                {
                    "annotationType": "u",
                    "fieldName": "Runbook",
                    "fieldValue": "https://rb/${{host_name}}",
                },
                {
                    "annotationType": "s",
                    "fieldName": "entity_display_name",
                    "fieldValue": "Disk on ${{host_name}}",
                    "flags": 1,
                },
            ],
        },
    )
    # A lower-ranked rule with the stop flag ends the chain before the last rule.
    api.post(
        PATH,
        json={
            "alertField": "host_name",
            "alertValueMatch": "db\\d+",
            "matchType": "REGEX",
            "rank": 1,
            "stopFlag": True,
            "annotations": [
                {"annotationType": "s", "fieldName": "team", "fieldValue": "dba", "flags": 1}
            ],
        },
    )
    api.post(
        PATH,
        json={
            "alertField": "entity_id",
            "alertValueMatch": "*",
            "rank": 5,
            "annotations": [
                {"annotationType": "s", "fieldName": "never", "fieldValue": "x", "flags": 1}
            ],
        },
    )

    url = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}/unrouted"
    body = {"message_type": "CRITICAL", "entity_id": "disk/db01", "host_name": "db01"}
    assert api.post(url, json=body).json() == {"result": "success", "entity_id": "disk/db01"}

    incident = api.get("/api-public/v1/incidents/1").json()
    assert (incident["routingKey"], incident["entityDisplayName"]) == ("db", "Disk on db01")
    assert [p["policy"]["slug"] for p in incident["pagedPolicies"]] == [policy_slug]
    with container.sessions.transaction(write=False) as session:
        alert = session.scalar(select(Alert))
        assert alert is not None
        assert alert.fields == {
            "message_type": "CRITICAL",
            "entity_id": "disk/db01",
            "host_name": "db01",
            "vo_annotate.u.Runbook": "https://rb/db01",
            "entity_display_name": "Disk on db01",
            "team": "dba",
        }
        assert (alert.routing_key, alert.routed_key) == ("unrouted", "db")
        # The raw payload stays as received.
        assert alert.raw == '{"message_type":"CRITICAL","entity_id":"disk/db01","host_name":"db01"}'


def test_dry_run_shows_rules_routing_and_action_without_storing(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        team = make_team(session, org.org_id, "Database")
        policy = make_user_policy(
            session, team, [make_user(session, org.org_id, "dba")], name="DBA"
        )
        policy_slug, team_slug = policy.slug, team.slug
    api.post("/api-public/v1/org/routing-keys", json={"routingKey": "db", "targets": [policy_slug]})
    rule = api.post(
        PATH, json={"alertField": "entity_id", "alertValueMatch": "disk/*", "routingKey": "db"}
    ).json()

    response = api.post(
        "/api-ext/v1/alert-rules/dry-run?routingKey=other",
        json={"message_type": "critical", "entity_id": "disk/db01"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "matchedRules": [rule],
        "alert": {"message_type": "critical", "entity_id": "disk/db01"},
        "messageType": "CRITICAL",
        "entityId": "disk/db01",
        "requestedRoutingKey": "other",
        "routingKey": "db",
        "isMuted": False,
        "incidentAction": "open",
        "openIncidentNumber": None,
        "policies": [
            {
                "name": "DBA",
                "slug": policy_slug,
                "teamSlug": team_slug,
                "_selfUrl": f"/api-public/v1/policies/{policy_slug}",
            }
        ],
        # Who the first step of each policy pages right now (the scheduling part's answer).
        "pagedNow": [{"policySlug": policy_slug, "usernames": ["dba"]}],
        "note": None,
    }
    with container.sessions.transaction(write=False) as session:
        assert session.execute(select(Alert.id)).all() == []
        assert session.execute(select(Incident.id)).all() == []

    url = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}"
    api.post(url, json={"message_type": "CRITICAL", "entity_id": "disk/db01"})
    response = api.post(
        "/api-ext/v1/alert-rules/dry-run",
        json={"message_type": "RECOVERY", "entity_id": "disk/db01"},
    )
    assert response.json() == {
        "matchedRules": [rule],
        "alert": {"message_type": "RECOVERY", "entity_id": "disk/db01"},
        "messageType": "RECOVERY",
        "entityId": "disk/db01",
        "requestedRoutingKey": None,
        "routingKey": "db",
        "isMuted": False,
        "incidentAction": "resolve",
        "openIncidentNumber": "1",
        "policies": [
            {
                "name": "DBA",
                "slug": policy_slug,
                "teamSlug": team_slug,
                "_selfUrl": f"/api-public/v1/policies/{policy_slug}",
            }
        ],
        "pagedNow": [],
        "note": "No incident would open, so nobody would be paged.",
    }
    response = api.post("/api-ext/v1/alert-rules/dry-run", json={"entity_id": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "Missing fields: message_type",
        "message": "Missing fields: message_type",
        "field": "message_type",
    }


def test_rules_are_per_organization(api: TestClient, container: Container) -> None:
    other = make_org(container, name="Globex", admin="boss")
    rule_id = api.post(PATH, json={"alertField": "a", "alertValueMatch": "b"}).json()["id"]
    assert api.get(PATH, headers=other.headers).json() == []
    response = api.delete(f"{PATH}/{rule_id}", headers=other.headers)
    assert response.status_code == 404
    assert len(api.get(PATH).json()) == 1
