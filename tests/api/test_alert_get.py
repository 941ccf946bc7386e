"""GET /api-public/v1/alerts/{uuid}: alerts sent to the REST endpoint, read back whole."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient

from openoncall.clock import FrozenClock
from openoncall.container import Container
from tests.api.incident_builders import open_alert_incident
from tests.conftest import T0, Org, make_org

ALERTS = "/api-public/v1/alerts"


def _send(api: TestClient, org: Org, raw: str) -> None:
    response = api.post(
        f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}/database",
        content=raw.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_alert_reads_back_with_its_raw_payload_when_sent_to_the_rest_endpoint(
    api: TestClient, org: Org, clock: FrozenClock
) -> None:
    raw = (
        '{"message_type": "critical", "entity_id": "disk/web-1", '
        '"entity_display_name": "Disk full on web-1", "state_message": "/var is 99% full", '
        '"monitoring_tool": "nagios", "state_start_time": 1767614000, '
        '"host_name": "web-1", "vo_annotate.u.Runbook": "https://wiki.example/disk"}'
    )
    _send(api, org, raw)
    clock.advance(timedelta(minutes=2))
    _send(
        api,
        org,
        json.dumps(
            {
                "message_type": "ACKNOWLEDGEMENT",
                "entity_id": "disk/web-1",
                "ack_author": "alice",
                "ack_msg": "looking now",
                "monitoring_tool": "nagios",
            }
        ),
    )
    incident = api.get("/api-public/v1/incidents/1").json()

    first = api.get(f"{ALERTS}/{incident['firstAlertUuid']}")
    (acked,) = [t for t in incident["transitions"] if t["name"] == "ACKED"]
    ack = api.get(acked["alertUrl"])

    assert first.status_code == 200
    assert first.json() == {
        "messageType": "CRITICAL",
        "entityId": "disk/web-1",
        "timestamp": int(T0.timestamp()),
        "stateStartTime": 1767614000,
        "stateMessage": "/var is 99% full",
        "monitoringTool": "nagios",
        "entityDisplayName": "Disk full on web-1",
        "ackMsg": None,
        "ackAuthor": None,
        "raw": raw,
    }
    assert ack.status_code == 200
    body = ack.json()
    assert json.loads(body.pop("raw")) == {
        "message_type": "ACKNOWLEDGEMENT",
        "entity_id": "disk/web-1",
        "ack_author": "alice",
        "ack_msg": "looking now",
        "monitoring_tool": "nagios",
    }
    assert body == {
        "messageType": "ACKNOWLEDGEMENT",
        "entityId": "disk/web-1",
        "timestamp": int(T0.timestamp()) + 120,
        "stateStartTime": int(T0.timestamp()) + 120,
        "stateMessage": None,
        "monitoringTool": "nagios",
        "entityDisplayName": None,
        "ackMsg": "looking now",
        "ackAuthor": "alice",
    }


def test_alert_of_a_seeded_incident_reads_back(
    api: TestClient, container: Container, org: Org
) -> None:
    opened = open_alert_incident(
        container, org.org_id, "cpu/db-1", display_name="CPU", state_message="95%"
    )

    response = api.get(f"{ALERTS}/{opened.alert_uuid}")

    assert response.status_code == 200
    assert response.json() == {
        "messageType": "CRITICAL",
        "entityId": "cpu/db-1",
        "timestamp": int(T0.timestamp()),
        "stateStartTime": int(T0.timestamp()),
        "stateMessage": "95%",
        "monitoringTool": "nagios",
        "entityDisplayName": "CPU",
        "ackMsg": None,
        "ackAuthor": None,
        "raw": json.dumps(
            {
                "message_type": "CRITICAL",
                "entity_id": "cpu/db-1",
                "entity_display_name": "CPU",
                "state_message": "95%",
                "monitoring_tool": "nagios",
            }
        ),
    }


def test_unknown_or_foreign_alert_is_404(api: TestClient, container: Container, org: Org) -> None:
    other = make_org(container, name="Globex", admin="boss")
    theirs = open_alert_incident(container, other.org_id, "theirs")

    for uuid in (theirs.alert_uuid, "00000000-0000-0000-0000-000000000000"):
        response = api.get(f"{ALERTS}/{uuid}")
        assert (response.status_code, response.json()) == (
            404,
            {
                "error": f"Alert {uuid} not found",
                "message": f"Alert {uuid} not found",
                "field": "uuid",
            },
        )
    nul = api.get(f"{ALERTS}/a%00b")
    assert (nul.status_code, nul.json()) == (
        404,
        {
            "error": "Alert a\u0000b not found",
            "message": "Alert a\u0000b not found",
            "field": "uuid",
        },
    )
