"""GET /api-public/v1/incidents and /incidents/{incidentNumber}: whole IncidentInfo bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openoncall.clock import FrozenClock
from openoncall.container import Container
from tests.api.incident_builders import (
    make_policy,
    open_alert_incident,
    repeat_alert,
)
from tests.api.scheduling_builders import make_team, make_user
from tests.conftest import Org, make_org

INCIDENTS = "/api-public/v1/incidents"


@pytest.fixture
def ground(container: Container, org: Org) -> dict[str, str]:
    make_user(container, org.org_id, "alice", "Alice", "Archer")
    make_user(container, org.org_id, "bob", "Bob", "Baker")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    return {"team": team, "policy": make_policy(container, org.org_id, team, "Ops policy")}


def _paged_policy(ground: dict[str, str]) -> dict[str, Any]:
    return {
        "policy": {
            "name": "Ops policy",
            "slug": ground["policy"],
            "_selfUrl": f"/api-public/v1/policies/{ground['policy']}",
        },
        "team": {"name": "Ops", "slug": ground["team"]},
    }


def test_get_incident_shows_whole_info_when_alerts_were_aggregated(
    api: TestClient, container: Container, clock: FrozenClock, org: Org, ground: dict[str, str]
) -> None:
    opened = open_alert_incident(
        container,
        org.org_id,
        "disk/web-1",
        display_name="Disk full on web-1",
        state_message="/var is 99% full",
        host="web-1",
        service_name="nginx",
        policies=[ground["policy"]],
        users=["alice"],
    )
    clock.advance(timedelta(minutes=3))
    second = repeat_alert(container, org.org_id, opened.number, state_message="/var is 100% full")

    response = api.get(f"{INCIDENTS}/{opened.number}")

    assert response.status_code == 200
    assert response.json() == {
        "incidentNumber": "1",
        "startTime": "2026-01-05T12:00:00Z",
        "currentPhase": "UNACKED",
        "alertCount": 2,
        "lastAlertTime": "2026-01-05T12:03:00Z",
        "lastAlertId": second,
        "entityId": "disk/web-1",
        "entityDisplayName": "Disk full on web-1",
        "entityState": "CRITICAL",
        "entityType": "SERVICE",
        "routingKey": "default",
        "host": "web-1",
        "service": "nginx",
        "pagedUsers": ["alice"],
        "pagedTeams": [ground["team"]],
        "pagedPolicies": [_paged_policy(ground)],
        "transitions": [
            {
                "name": "UNACKED",
                "at": "2026-01-05T12:00:00Z",
                "by": None,
                "message": "Disk full on web-1",
                "manually": False,
                "alertId": opened.alert_uuid,
                "alertUrl": f"/api-public/v1/alerts/{opened.alert_uuid}",
            }
        ],
        "firstAlertUuid": opened.alert_uuid,
        "monitorName": "nagios",
        "monitorType": "API",
    }


def test_transitions_record_ack_and_resolve_by_alert_in_order(
    api: TestClient, container: Container, clock: FrozenClock, org: Org
) -> None:
    opened = open_alert_incident(container, org.org_id, "cpu/db-1", display_name="CPU high")
    clock.advance(timedelta(minutes=1))
    ack = repeat_alert(
        container,
        org.org_id,
        opened.number,
        message_type="ACKNOWLEDGEMENT",
        state_message="looking",
        extra={"ack_author": "alice"},
    )
    clock.advance(timedelta(minutes=1))
    recovery = repeat_alert(container, org.org_id, opened.number, message_type="RECOVERY")

    body = api.get(f"{INCIDENTS}/{opened.number}").json()

    assert (body["currentPhase"], body["alertCount"]) == ("RESOLVED", 1)
    assert body["transitions"] == [
        {
            "name": "UNACKED",
            "at": "2026-01-05T12:00:00Z",
            "by": None,
            "message": "CPU high",
            "manually": False,
            "alertId": opened.alert_uuid,
            "alertUrl": f"/api-public/v1/alerts/{opened.alert_uuid}",
        },
        {
            "name": "ACKED",
            "at": "2026-01-05T12:01:00Z",
            "by": "alice",
            "message": "looking",
            "manually": False,
            "alertId": ack,
            "alertUrl": f"/api-public/v1/alerts/{ack}",
        },
        {
            "name": "RESOLVED",
            "at": "2026-01-05T12:02:00Z",
            "by": "nagios",
            "message": None,
            "manually": False,
            "alertId": recovery,
            "alertUrl": f"/api-public/v1/alerts/{recovery}",
        },
    ]


def test_list_shows_open_acked_and_recently_resolved_when_older_ones_have_aged_out(
    api: TestClient, container: Container, clock: FrozenClock, org: Org
) -> None:
    old = open_alert_incident(container, org.org_id, "old", display_name="Old")
    repeat_alert(container, org.org_id, old.number, message_type="RECOVERY")
    clock.advance(timedelta(hours=24, seconds=1))
    recent = open_alert_incident(container, org.org_id, "recent", display_name="Recent")
    repeat_alert(container, org.org_id, recent.number, message_type="RECOVERY")
    acked = open_alert_incident(container, org.org_id, "acked", display_name="Acked")
    repeat_alert(container, org.org_id, acked.number, message_type="ACKNOWLEDGEMENT")
    fresh = open_alert_incident(container, org.org_id, "fresh", display_name="Fresh")

    response = api.get(INCIDENTS)

    assert response.status_code == 200
    listed = response.json()["incidents"]
    assert [(i["incidentNumber"], i["entityId"], i["currentPhase"]) for i in listed] == [
        (str(recent.number), "recent", "RESOLVED"),
        (str(acked.number), "acked", "ACKED"),
        (str(fresh.number), "fresh", "UNACKED"),
    ]
    assert listed[2] == {
        "incidentNumber": "4",
        "startTime": "2026-01-06T12:00:01Z",
        "currentPhase": "UNACKED",
        "alertCount": 1,
        "lastAlertTime": "2026-01-06T12:00:01Z",
        "lastAlertId": fresh.alert_uuid,
        "entityId": "fresh",
        "entityDisplayName": "Fresh",
        "entityState": "CRITICAL",
        "entityType": "SERVICE",
        "routingKey": "default",
        "host": None,
        "service": None,
        "pagedUsers": [],
        "pagedTeams": [],
        "pagedPolicies": [],
        "transitions": [
            {
                "name": "UNACKED",
                "at": "2026-01-06T12:00:01Z",
                "by": None,
                "message": "Fresh",
                "manually": False,
                "alertId": fresh.alert_uuid,
                "alertUrl": f"/api-public/v1/alerts/{fresh.alert_uuid}",
            }
        ],
        "firstAlertUuid": fresh.alert_uuid,
        "monitorName": "nagios",
        "monitorType": "API",
    }


def test_list_is_empty_when_the_org_has_no_incidents(api: TestClient) -> None:
    response = api.get(INCIDENTS)
    assert (response.status_code, response.json()) == (200, {"incidents": []})


def test_other_orgs_incidents_are_invisible(
    api: TestClient, container: Container, org: Org
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    open_alert_incident(container, other.org_id, "theirs", display_name="Theirs")

    assert api.get(INCIDENTS).json() == {"incidents": []}
    response = api.get(f"{INCIDENTS}/1")
    assert (response.status_code, response.json()) == (
        404,
        {
            "error": "Incident 1 not found",
            "message": "Incident 1 not found",
            "field": "incidentNumber",
        },
    )


def test_unknown_incident_is_404_and_a_non_number_is_400(api: TestClient) -> None:
    missing = api.get(f"{INCIDENTS}/99")
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "error": "Incident 99 not found",
            "message": "Incident 99 not found",
            "field": "incidentNumber",
        },
    )
    bad = api.get(f"{INCIDENTS}/abc")
    assert (bad.status_code, bad.json()) == (
        400,
        {
            "error": "incidentNumber must be a positive integer, got 'abc'",
            "message": "incidentNumber must be a positive integer, got 'abc'",
            "field": "incidentNumber",
        },
    )


def test_incidents_need_the_api_headers(client: TestClient) -> None:
    response = client.get(INCIDENTS)
    assert response.status_code == 401
    assert response.json()["error"] == "Authentication parameters missing: X-VO-Api-Id"
