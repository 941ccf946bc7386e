"""Maintenance mode through HTTP: state shapes, 409 for a second global window, and alerts
during maintenance: recorded, their incidents open muted, visibly, and page nobody."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.incidents.models import Incident, IncidentEvent
from openoncall.jobs.models import Job
from tests.builders import make_team, make_user, make_user_policy
from tests.conftest import Org

PATH = "/api-public/v1/maintenancemode"
T0_MS = 1767614400000


def state(org: Org, *instances: dict[str, Any]) -> dict[str, Any]:
    return {"companyId": org.boot.org_slug, "activeInstances": list(instances)}


def instance(instance_id: str, names: list[str]) -> dict[str, Any]:
    return {
        "instanceId": instance_id,
        "startedBy": "admin",
        "startedAt": T0_MS,
        "isGlobal": not names,
        "targets": [{"type": "RoutingKeys", "names": names}],
    }


def test_start_list_and_end_maintenance(api: TestClient, org: Org) -> None:
    assert api.get(PATH).json() == state(org)
    api.post("/api-public/v1/org/routing-keys", json={"routingKey": "db"})

    response = api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": [], "purpose": "x"})
    assert response.status_code == 200
    global_id = response.json()["activeInstances"][0]["instanceId"]
    assert response.json() == state(org, instance(global_id, []))

    response = api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": []})
    assert response.status_code == 409
    assert response.json() == {
        "error": "Global maintenance mode is already active",
        "message": "Global maintenance mode is already active",
        "field": "names",
    }

    response = api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": ["db"]})
    assert response.status_code == 200
    key_id = response.json()["activeInstances"][1]["instanceId"]
    assert response.json() == state(org, instance(global_id, []), instance(key_id, ["db"]))
    assert api.get(PATH).json() == state(org, instance(global_id, []), instance(key_id, ["db"]))

    response = api.put(f"{PATH}/{global_id}/end")
    assert response.status_code == 200
    assert response.json() == state(org, instance(key_id, ["db"]))
    response = api.put(f"{PATH}/{global_id}/end")
    assert response.status_code == 404
    assert response.json() == {
        "error": f"Maintenance mode {global_id} not found",
        "message": f"Maintenance mode {global_id} not found",
        "field": "maintenancemodeid",
    }
    # With the global window ended, a new one may start.
    assert api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": []}).status_code == 200


def test_start_refuses_unknown_keys_and_types(api: TestClient, org: Org) -> None:
    response = api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": ["nope"]})
    assert response.status_code == 404
    assert response.json() == {
        "error": "Routing key nope not found",
        "message": "Routing key nope not found",
        "field": "names",
    }
    response = api.post(f"{PATH}/start", json={"type": "Teams", "names": []})
    assert response.status_code == 400
    assert response.json() == {
        "error": "type must be RoutingKeys",
        "message": "type must be RoutingKeys",
        "field": "type",
    }
    assert api.get(PATH).json() == state(org)


def test_alerts_during_maintenance_open_muted_incidents_that_page_nobody(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        team = make_team(session, org.org_id, "Database")
        policy = make_user_policy(session, team, [make_user(session, org.org_id, "dba")])
        policy_id, policy_slug = policy.id, policy.slug
    api.post("/api-public/v1/org/routing-keys", json={"routingKey": "db", "targets": [policy_slug]})
    api.post("/api-public/v1/org/routing-keys", json={"routingKey": "web", "targets": []})
    started = api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": ["db"]}).json()
    instance_id = started["activeInstances"][0]["instanceId"]

    base = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}"
    ok = {"result": "success", "entity_id": "disk/db01"}
    assert (
        api.post(f"{base}/db", json={"message_type": "CRITICAL", "entity_id": "disk/db01"}).json()
        == ok
    )
    api.post(f"{base}/web", json={"message_type": "CRITICAL", "entity_id": "http/web1"})

    incidents = {i["entityId"]: i for i in api.get("/api-public/v1/incidents").json()["incidents"]}
    # The muted incident exists and is visible, but pages no policy.
    assert incidents["disk/db01"]["pagedPolicies"] == []
    assert incidents["disk/db01"]["currentPhase"] == "UNACKED"
    with container.sessions.transaction(write=False) as session:
        muted = session.scalar(select(Incident).where(Incident.entity_id == "disk/db01"))
        loud = session.scalar(select(Incident).where(Incident.entity_id == "http/web1"))
        assert muted is not None
        assert loud is not None
        assert (muted.is_muted, loud.is_muted) == (True, False)
        timeline = session.execute(
            select(
                IncidentEvent.kind, IncidentEvent.actor, IncidentEvent.message, IncidentEvent.data
            )
            .where(IncidentEvent.incident_id == muted.id)
            .order_by(IncidentEvent.id)
        ).all()
        jobs = session.execute(select(Job.kind, Job.payload)).all()
    assert [tuple(t) for t in timeline][2:] == [
        (
            "muted",
            "system",
            "Maintenance mode is active: this incident pages nobody",
            {
                "reason": "maintenance",
                "instanceIds": [instance_id],
                "routingKey": "db",
                "policyIds": [policy_id],
            },
        )
    ]
    assert [tuple(j) for j in jobs] == [("escalation.start", {"incident_id": loud.id})]

    # After maintenance ends, the next incident for the key pages again.
    api.put(f"{PATH}/{instance_id}/end")
    api.post(f"{base}/db", json={"message_type": "CRITICAL", "entity_id": "disk/db02"})
    with container.sessions.transaction(write=False) as session:
        assert (
            session.scalar(select(Incident.is_muted).where(Incident.entity_id == "disk/db02"))
            is False
        )
        assert len(session.execute(select(Job.id)).all()) == 2


def test_global_maintenance_mutes_every_key(
    api: TestClient, org: Org, container: Container
) -> None:
    api.post(f"{PATH}/start", json={"type": "RoutingKeys", "names": []})
    base = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}"
    api.post(f"{base}/anything", json={"message_type": "CRITICAL", "entity_id": "a"})
    api.post(base, json={"message_type": "CRITICAL", "entity_id": "b"})
    with container.sessions.transaction(write=False) as session:
        assert session.scalars(select(Incident.is_muted).order_by(Incident.id)).all() == [
            True,
            True,
        ]
        assert session.execute(select(Job.id)).all() == []
