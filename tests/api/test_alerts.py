"""The REST alert endpoint through HTTP: message types, dedup by entity_id, the incident
lifecycle driven by alerts, routing and the hand-over to the paging engine (NOTES (c), (f))."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.alerts.models import Alert
from openoncall.container import Container
from openoncall.incidents.models import Incident, IncidentEvent
from openoncall.jobs.models import Job
from openoncall.orgs.models import Organization
from tests.builders import make_team, make_user, make_user_policy
from tests.conftest import Org, make_org

T0_ISO = "2026-01-05T12:00:00Z"
T0_EPOCH = 1767614400


def alert_url(org: Org, routing_key: str | None = None) -> str:
    base = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}"
    return f"{base}/{routing_key}" if routing_key is not None else base


def alert_uuids(container: Container, org: Org) -> list[str]:
    with container.sessions.transaction(write=False) as session:
        return list(
            session.scalars(select(Alert.uuid).where(Alert.org_id == org.org_id).order_by(Alert.id))
        )


def transition(
    name: str, alert_id: str, *, by: str | None = None, message: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "at": T0_ISO,
        "by": by,
        "message": message,
        "manually": False,
        "alertId": alert_id,
        "alertUrl": f"/api-public/v1/alerts/{alert_id}",
    }


def incident_body(
    number: int,
    *,
    phase: str,
    alert_count: int,
    first: str,
    last: str,
    transitions: list[dict[str, Any]],
    entity: str = "disk/db01",
    display: str | None = None,
    routing_key: str = "default",
    paged_teams: list[str] | None = None,
    paged_policies: list[dict[str, Any]] | None = None,
    monitor: str | None = None,
    entity_state: str = "CRITICAL",
) -> dict[str, Any]:
    return {
        "incidentNumber": str(number),
        "startTime": T0_ISO,
        "currentPhase": phase,
        "alertCount": alert_count,
        "lastAlertTime": T0_ISO,
        "lastAlertId": last,
        "entityId": entity,
        "entityDisplayName": display or entity,
        "entityState": entity_state,
        "entityType": "SERVICE",
        "routingKey": routing_key,
        "host": None,
        "service": None,
        "pagedUsers": [],
        "pagedTeams": paged_teams or [],
        "pagedPolicies": paged_policies or [],
        "transitions": transitions,
        "firstAlertUuid": first,
        "monitorName": monitor,
        "monitorType": "API",
    }


def post(client: TestClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_incident_follows_alerts_from_critical_to_resolved_then_reopens(
    client: TestClient, org: Org, container: Container
) -> None:
    url = alert_url(org, "db")
    critical = {"message_type": "CRITICAL", "entity_id": "disk/db01", "state_message": "full"}

    assert post(client, url, critical) == {"result": "success", "entity_id": "disk/db01"}
    (a1,) = alert_uuids(container, org)
    response = client.get("/api-public/v1/incidents/1", headers=org.headers)
    assert response.status_code == 200
    assert response.json() == incident_body(
        1,
        phase="UNACKED",
        alert_count=1,
        first=a1,
        last=a1,
        transitions=[transition("UNACKED", a1, message="disk/db01")],
    )

    # Duplicates fold into the open incident (any case of message_type).
    assert post(client, url, {**critical, "message_type": "critical"})["result"] == "success"
    assert post(client, url, {**critical, "message_type": "Critical"})["result"] == "success"
    a1, a2, a3 = alert_uuids(container, org)
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1,
        phase="UNACKED",
        alert_count=3,
        first=a1,
        last=a3,
        transitions=[transition("UNACKED", a1, message="disk/db01")],
    )

    ack = {
        "message_type": "ACKNOWLEDGEMENT",
        "entity_id": "disk/db01",
        "ack_author": "jdoe",
        "ack_msg": "looking",
    }
    assert post(client, url, ack) == {"result": "success", "entity_id": "disk/db01"}
    *_, a4 = alert_uuids(container, org)
    acked = [
        transition("UNACKED", a1, message="disk/db01"),
        transition("ACKED", a4, by="jdoe", message="looking"),
    ]
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1, phase="ACKED", alert_count=3, first=a1, last=a3, transitions=acked
    )

    recovery = {"message_type": "RECOVERY", "entity_id": "disk/db01", "state_message": "ok"}
    assert post(client, url, recovery) == {"result": "success", "entity_id": "disk/db01"}
    *_, a5 = alert_uuids(container, org)
    resolved = [*acked, transition("RESOLVED", a5, message="ok")]
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1, phase="RESOLVED", alert_count=3, first=a1, last=a3, transitions=resolved
    )

    # After resolution the same entity opens a new incident, numbered next.
    assert post(client, url, critical) == {"result": "success", "entity_id": "disk/db01"}
    *_, a6 = alert_uuids(container, org)
    assert client.get("/api-public/v1/incidents/2", headers=org.headers).json() == incident_body(
        2,
        phase="UNACKED",
        alert_count=1,
        first=a6,
        last=a6,
        transitions=[transition("UNACKED", a6, message="disk/db01")],
    )

    # Every alert is on the timeline of its incident, in order, with the transitions.
    with container.sessions.transaction(write=False) as session:
        first = session.scalar(select(Incident).where(Incident.number == 1))
        assert first is not None
        timeline = session.execute(
            select(IncidentEvent.kind, IncidentEvent.alert_uuid)
            .where(IncidentEvent.incident_id == first.id)
            .order_by(IncidentEvent.id)
        ).all()
    assert [tuple(row) for row in timeline] == [
        ("alert", a1),
        ("transition", a1),
        ("alert", a2),
        ("alert", a3),
        ("alert", a4),
        ("transition", a4),
        ("alert", a5),
        ("transition", a5),
    ]


def test_info_alert_is_recorded_and_opens_nothing(
    client: TestClient, org: Org, container: Container
) -> None:
    body = {
        "message_type": "INFO",
        "entity_id": "deploy/api",
        "entity_display_name": "Deploy",
        "message": "v1.2 rolled out",
        "monitoring_tool": "ci",
        "timestamp": 1767600000,
        "host_name": "build01",
        "custom_field": {"nested": [1, 2]},
        "vo_annotate.u.Runbook": "https://runbooks.example/deploy",
    }
    raw = json.dumps(body)
    response = client.post(alert_url(org), content=raw)
    assert response.status_code == 200
    assert response.json() == {"result": "success", "entity_id": "deploy/api"}

    assert client.get("/api-public/v1/incidents", headers=org.headers).json() == {"incidents": []}
    (uuid_,) = alert_uuids(container, org)
    response = client.get(f"/api-public/v1/alerts/{uuid_}", headers=org.headers)
    assert response.status_code == 200
    assert response.json() == {
        "messageType": "INFO",
        "entityId": "deploy/api",
        "timestamp": 1767600000,
        "stateStartTime": 1767600000,
        "stateMessage": "v1.2 rolled out",  # `message` stands in for `state_message`
        "monitoringTool": "ci",
        "entityDisplayName": "Deploy",
        "ackMsg": None,
        "ackAuthor": None,
        "raw": raw,  # the payload exactly as sent, unknown keys included
    }


def test_warning_opens_an_incident_only_when_the_org_says_so(
    client: TestClient, org: Org, container: Container
) -> None:
    warning = {"message_type": "WARNING", "entity_id": "cpu/web1"}
    assert post(client, alert_url(org), warning) == {"result": "success", "entity_id": "cpu/web1"}
    assert client.get("/api-public/v1/incidents", headers=org.headers).json() == {"incidents": []}

    with container.sessions.transaction() as session:
        org_row = session.get(Organization, org.org_id)
        assert org_row is not None
        org_row.is_warning_incident = True
    post(client, alert_url(org), warning)
    _, second = alert_uuids(container, org)
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1,
        phase="UNACKED",
        alert_count=1,
        first=second,
        last=second,
        entity="cpu/web1",
        entity_state="WARNING",
        transitions=[transition("UNACKED", second, message="cpu/web1")],
    )


def test_ok_resolves_and_a_lone_ack_or_recovery_only_records(
    client: TestClient, org: Org, container: Container
) -> None:
    url = alert_url(org)
    post(client, url, {"message_type": "acknowledgement", "entity_id": "x"})
    post(client, url, {"message_type": "recovery", "entity_id": "x"})
    assert client.get("/api-public/v1/incidents", headers=org.headers).json() == {"incidents": []}
    post(client, url, {"message_type": "CRITICAL", "entity_id": "x", "monitoring_tool": "nagios"})
    post(client, url, {"message_type": "ok", "entity_id": "x", "monitoring_tool": "nagios"})
    *_, opened, ok = alert_uuids(container, org)
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1,
        phase="RESOLVED",
        alert_count=1,
        first=opened,
        last=opened,
        entity="x",
        monitor="nagios",
        transitions=[
            transition("UNACKED", opened, by="nagios", message="x"),
            transition("RESOLVED", ok, by="nagios"),
        ],
    )
    with container.sessions.transaction(write=False) as session:
        types = session.scalars(select(Alert.message_type).order_by(Alert.id)).all()
    assert types == ["ACKNOWLEDGEMENT", "RECOVERY", "CRITICAL", "RECOVERY"]


def test_bad_payloads_fail_with_the_vendor_body(client: TestClient, org: Org) -> None:
    url = alert_url(org)
    cases = [
        (b'{"entity_id": "x"}', "Missing fields: message_type"),
        (b'{"message_type": ""}', "Missing fields: message_type"),
        (b"", "Missing fields: message_type"),
        (b"{not json", "Request body is not valid JSON"),
        (b"[1, 2]", "Request body must be a JSON object"),
        (b'{"message_type": "PANIC"}', "Invalid message_type: PANIC"),
    ]
    for body, message in cases:
        response = client.post(url, content=body)
        assert response.status_code == 400, body
        assert response.json() == {"result": "failure", "message": message}
    assert client.get("/api-public/v1/incidents", headers=org.headers).json() == {"incidents": []}


def test_wrong_rest_key_is_404_and_stores_nothing(
    client: TestClient, org: Org, container: Container
) -> None:
    for url in (
        "/integrations/generic/20131114/alert/not-a-key/db",
        "/integrations/generic/20131114/alert/not-a-key",
        # The API key is not the REST endpoint key.
        f"/integrations/generic/20131114/alert/{org.boot.api_key}",
    ):
        response = client.post(url, json={"message_type": "CRITICAL", "entity_id": "x"})
        assert response.status_code == 404
        assert response.json() == {"error": "Not found", "message": "Not found"}
    assert alert_uuids(container, org) == []


def test_missing_content_type_and_entity_id_are_accepted(
    client: TestClient, org: Org, container: Container
) -> None:
    response = client.post(
        alert_url(org), content=b'{"message_type":"CRITICAL","entity_display_name":"Disk"}'
    )
    assert response.status_code == 200
    body = response.json()
    generated = body["entity_id"]
    assert body == {"result": "success", "entity_id": generated}
    assert str(uuid.UUID(generated)) == generated
    (a1,) = alert_uuids(container, org)
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1,
        phase="UNACKED",
        alert_count=1,
        first=a1,
        last=a1,
        entity=generated,
        display="Disk",
        transitions=[transition("UNACKED", a1, message="Disk")],
    )


def test_routing_key_pages_its_policies_and_hands_over_to_the_engine_once(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        team = make_team(session, org.org_id, "Database")
        user = make_user(session, org.org_id, "dba")
        policy = make_user_policy(session, team, [user], name="DB on call")
        policy_slug, team_slug, team_name = policy.slug, team.slug, team.name
    response = api.post(
        "/api-public/v1/org/routing-keys", json={"routingKey": "db", "targets": [policy_slug]}
    )
    assert response.status_code == 200

    url = alert_url(org, "db")
    post(api, url, {"message_type": "CRITICAL", "entity_id": "disk/db01"})
    post(api, url, {"message_type": "CRITICAL", "entity_id": "disk/db01"})
    post(api, url, {"message_type": "ACKNOWLEDGEMENT", "entity_id": "disk/db01"})
    post(api, url, {"message_type": "RECOVERY", "entity_id": "disk/db01"})
    a1, a2, a3, a4 = alert_uuids(container, org)
    assert api.get("/api-public/v1/incidents/1").json() == incident_body(
        1,
        phase="RESOLVED",
        alert_count=2,
        first=a1,
        last=a2,
        routing_key="db",
        paged_teams=[team_slug],
        paged_policies=[
            {
                "policy": {
                    "name": "DB on call",
                    "slug": policy_slug,
                    "_selfUrl": f"/api-public/v1/policies/{policy_slug}",
                },
                "team": {"name": team_name, "slug": team_slug},
            }
        ],
        transitions=[
            transition("UNACKED", a1, message="disk/db01"),
            transition("ACKED", a3),
            transition("RESOLVED", a4),
        ],
    )
    with container.sessions.transaction(write=False) as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == 1))
        jobs = session.execute(select(Job.kind, Job.payload, Job.dedupe_key, Job.org_id)).all()
    # One escalation.start in the opening transaction; duplicates, ack and resolve add none.
    assert [tuple(j) for j in jobs] == [
        (
            "escalation.start",
            {"incident_id": incident_id},
            f"escalation:{incident_id}:start",
            org.org_id,
        )
    ]


def test_unknown_routing_key_routes_to_the_default(
    client: TestClient, org: Org, container: Container
) -> None:
    post(client, alert_url(org, "No-Such-Key"), {"message_type": "CRITICAL", "entity_id": "e"})
    (a1,) = alert_uuids(container, org)
    assert client.get("/api-public/v1/incidents/1", headers=org.headers).json() == incident_body(
        1,
        phase="UNACKED",
        alert_count=1,
        first=a1,
        last=a1,
        entity="e",
        routing_key="default",
        transitions=[transition("UNACKED", a1, message="e")],
    )
    with container.sessions.transaction(write=False) as session:
        alert = session.scalar(select(Alert))
        assert alert is not None
        assert (alert.routing_key, alert.routed_key) == ("No-Such-Key", "default")


def test_tenants_dedup_separately(client: TestClient, org: Org, container: Container) -> None:
    other = make_org(container, name="Globex", admin="boss")
    body = {"message_type": "CRITICAL", "entity_id": "shared/entity"}
    post(client, alert_url(org), body)
    post(client, alert_url(other), body)
    post(client, alert_url(other), body)
    mine = client.get("/api-public/v1/incidents", headers=org.headers).json()["incidents"]
    theirs = client.get("/api-public/v1/incidents", headers=other.headers).json()["incidents"]
    assert [(i["incidentNumber"], i["alertCount"]) for i in mine] == [("1", 1)]
    assert [(i["incidentNumber"], i["alertCount"]) for i in theirs] == [("1", 2)]


def test_trailing_slash_means_the_default_key_and_huge_bodies_are_refused(
    client: TestClient, org: Org, container: Container
) -> None:
    response = client.post(
        alert_url(org) + "/", json={"message_type": "INFO", "entity_id": "slash"}
    )
    assert response.status_code == 200
    assert response.json() == {"result": "success", "entity_id": "slash"}
    huge = json.dumps({"message_type": "INFO", "state_message": "x" * (1024 * 1024)})
    response = client.post(alert_url(org), content=huge)
    assert response.status_code == 413
    assert response.json() == {"result": "failure", "message": "Alert too large"}
    with container.sessions.transaction(write=False) as session:
        stored = session.execute(select(Alert.entity_id, Alert.routed_key)).all()
    assert [tuple(r) for r in stored] == [("slash", "default")]
