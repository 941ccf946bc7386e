"""Incident commands: manual create, ack/resolve by numbers and by user, reroute, numbering."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.incidents.models import Incident
from openoncall.jobs.models import Job
from openoncall.orgs.service import create_api_key
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


def _manual(targets: list[dict[str, str]], summary: str = "Database down") -> dict[str, Any]:
    return {
        "summary": summary,
        "details": "Primary is not answering",
        "userName": "alice",
        "targets": targets,
    }


def _jobs(container: Container) -> list[tuple[str, dict[str, Any]]]:
    with container.sessions.transaction() as session:
        return [(j.kind, j.payload) for j in session.scalars(select(Job).order_by(Job.id))]


# ------------------------------------------------------------------ manual incidents


def test_manual_incident_pages_users_and_policies_and_answers_number_and_entity(
    api: TestClient, container: Container, ground: dict[str, str]
) -> None:
    response = api.post(
        INCIDENTS,
        json=_manual(
            [
                # The target type is read in any case.
                {"type": "user", "slug": "bob"},
                {"type": "EscalationPolicy", "slug": ground["policy"]},
            ]
        ),
    )

    assert response.status_code == 200
    entity_id = response.json()["entityId"]
    assert str(uuid.UUID(entity_id)) == entity_id
    assert response.json() == {"incidentNumber": "1", "entityId": entity_id}
    shown = api.get(f"{INCIDENTS}/1")
    assert shown.status_code == 200
    assert shown.json() == {
        "incidentNumber": "1",
        "startTime": "2026-01-05T12:00:00Z",
        "currentPhase": "UNACKED",
        "alertCount": 0,
        "lastAlertTime": None,
        "lastAlertId": None,
        "entityId": entity_id,
        "entityDisplayName": "Database down",
        "entityState": "CRITICAL",
        "entityType": "SERVICE",
        "routingKey": None,
        "host": None,
        "service": None,
        "pagedUsers": ["bob"],
        "pagedTeams": [ground["team"]],
        "pagedPolicies": [_paged_policy(ground)],
        "transitions": [
            {
                "name": "UNACKED",
                "at": "2026-01-05T12:00:00Z",
                "by": "alice",
                "message": "Database down",
                "manually": True,
                "alertId": None,
                "alertUrl": None,
            }
        ],
        "firstAlertUuid": None,
        "monitorName": "alice",
        "monitorType": "Manual",
    }
    with container.sessions.transaction() as session:
        incident_id = session.scalars(select(Incident.id)).one()
    # The paging engine's work is handed over in the same transaction.
    assert _jobs(container) == [("escalation.start", {"incident_id": incident_id})]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (
            {**_manual([{"type": "User", "slug": "bob"}]), "userName": "nobody"},
            404,
            {"error": "User not found", "message": "User not found", "field": "userName"},
        ),
        (
            _manual([{"type": "User", "slug": "bob"}, {"type": "User", "slug": "ghost"}]),
            404,
            {
                "error": "User not found: ghost",
                "message": "User not found: ghost",
                "field": "targets",
            },
        ),
        (
            _manual([{"type": "EscalationPolicy", "slug": "pol-nope"}]),
            404,
            {
                "error": "Policy not found: pol-nope",
                "message": "Policy not found: pol-nope",
                "field": "targets",
            },
        ),
        (
            _manual([]),
            400,
            {
                "error": "Invalid value for field 'targets': "
                "List should have at least 1 item after validation, not 0",
                "message": "Invalid value for field 'targets': "
                "List should have at least 1 item after validation, not 0",
                "field": "targets",
            },
        ),
        (
            _manual([{"type": "Team", "slug": "x"}]),
            400,
            {
                "error": "Invalid value for field 'targets.0.type': "
                "Input should be 'User' or 'EscalationPolicy'",
                "message": "Invalid value for field 'targets.0.type': "
                "Input should be 'User' or 'EscalationPolicy'",
                "field": "targets.0.type",
            },
        ),
        (
            {"details": "d", "userName": "alice", "targets": [{"type": "User", "slug": "bob"}]},
            400,
            {
                "error": "Missing field: summary",
                "message": "Missing field: summary",
                "field": "summary",
            },
        ),
        (
            _manual([{"type": "User", "slug": "bo\u0000b"}]),
            400,
            {
                "error": "Invalid value for field 'targets.0.slug': "
                "Value error, must not contain NUL characters",
                "message": "Invalid value for field 'targets.0.slug': "
                "Value error, must not contain NUL characters",
                "field": "targets.0.slug",
            },
        ),
    ],
    ids=[
        "unknown-creator",
        "unknown-user-target",
        "unknown-policy",
        "no-targets",
        "bad-type",
        "no-summary",
        "nul-in-slug",
    ],
)
def test_manual_incident_is_refused_and_nothing_written_when_input_is_bad(
    *,
    api: TestClient,
    container: Container,
    ground: dict[str, str],
    body: dict[str, Any],
    status: int,
    error: dict[str, str],
) -> None:
    response = api.post(INCIDENTS, json=body)

    assert (response.status_code, response.json()) == (status, error)
    assert api.get(INCIDENTS).json() == {"incidents": []}
    assert _jobs(container) == []


def test_incident_numbers_are_sequential_without_gaps_when_created_in_parallel(
    api: TestClient, container: Container, ground: dict[str, str]
) -> None:
    count = 16
    target = [{"type": "User", "slug": "bob"}]

    def create(i: int) -> tuple[int, str]:
        response = api.post(INCIDENTS, json=_manual(target, summary=f"parallel {i}"))
        return response.status_code, response.json()["incidentNumber"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(create, range(count)))

    assert {status for status, _ in answers} == {200}
    assert sorted(int(number) for _, number in answers) == list(range(1, count + 1))
    with container.sessions.transaction() as session:
        stored = sorted(session.scalars(select(Incident.number)))
    assert stored == list(range(1, count + 1))
    # The sequence carries on after the burst.
    assert api.post(INCIDENTS, json=_manual(target)).json()["incidentNumber"] == str(count + 1)


def test_numbers_stay_gap_free_when_alerts_and_manual_incidents_open_together(
    api: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    alert_url = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}"

    def open_one(i: int) -> int:
        if i % 2 == 0:
            response = api.post(INCIDENTS, json=_manual([{"type": "User", "slug": "bob"}]))
        else:
            response = api.post(
                alert_url, json={"message_type": "CRITICAL", "entity_id": f"host-{i}"}
            )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(open_one, range(16)))

    assert set(statuses) == {200}
    listed = api.get(INCIDENTS).json()["incidents"]
    assert [i["incidentNumber"] for i in listed] == [str(n) for n in range(1, 17)]
    assert sorted(i["monitorType"] for i in listed) == ["API"] * 8 + ["Manual"] * 8


def test_each_org_numbers_its_own_incidents_from_one(
    api: TestClient, client: TestClient, container: Container, ground: dict[str, str]
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    api.post(INCIDENTS, json=_manual([{"type": "User", "slug": "bob"}]))
    api.post(INCIDENTS, json=_manual([{"type": "User", "slug": "bob"}]))

    response = client.post(
        INCIDENTS,
        headers=other.headers,
        json={**_manual([{"type": "User", "slug": "boss"}]), "userName": "boss"},
    )

    assert response.status_code == 200
    assert response.json()["incidentNumber"] == "1"


# ------------------------------------------------------------------ ack / resolve by numbers


def test_ack_by_numbers_reports_each_incident(
    api: TestClient, container: Container, clock: FrozenClock, org: Org, ground: dict[str, str]
) -> None:
    one = open_alert_incident(container, org.org_id, "e1", display_name="One")
    two = open_alert_incident(container, org.org_id, "e2", display_name="Two")
    clock.advance(timedelta(minutes=5))

    response = api.patch(
        f"{INCIDENTS}/ack",
        json={
            "userName": "alice",
            "incidentNames": [str(one.number), str(two.number), "77", "x", str(one.number)],
            "message": "on it",
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "incidentNumber": "1",
                "entityId": "e1",
                "cmdAccepted": True,
                "message": "Incident 1 acknowledged",
            },
            {
                "incidentNumber": "2",
                "entityId": "e2",
                "cmdAccepted": True,
                "message": "Incident 2 acknowledged",
            },
            {
                "incidentNumber": "77",
                "entityId": None,
                "cmdAccepted": False,
                "message": "Incident not found",
            },
            {
                "incidentNumber": "x",
                "entityId": None,
                "cmdAccepted": False,
                "message": "Incident not found",
            },
            {
                "incidentNumber": "1",
                "entityId": None,
                "cmdAccepted": False,
                "message": "Incident 1 is listed twice",
            },
        ]
    }
    shown = api.get(f"{INCIDENTS}/1").json()
    assert shown["currentPhase"] == "ACKED"
    assert shown["transitions"][-1] == {
        "name": "ACKED",
        "at": "2026-01-05T12:05:00Z",
        "by": "alice",
        "message": "on it",
        "manually": True,
        "alertId": None,
        "alertUrl": None,
    }


def test_ack_and_resolve_refuse_incidents_that_are_not_open(
    api: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    one = open_alert_incident(container, org.org_id, "e1", display_name="One")
    body = {"userName": "bob", "incidentNames": [str(one.number)]}
    assert api.patch(f"{INCIDENTS}/ack", json=body).json()["results"][0]["cmdAccepted"] is True

    again = api.patch(f"{INCIDENTS}/ack", json=body)
    resolved = api.patch(f"{INCIDENTS}/resolve", json=body)
    resolved_again = api.patch(f"{INCIDENTS}/resolve", json=body)
    ack_resolved = api.patch(f"{INCIDENTS}/ack", json=body)

    assert (again.status_code, again.json()) == (
        200,
        {
            "results": [
                {
                    "incidentNumber": "1",
                    "entityId": "e1",
                    "cmdAccepted": False,
                    "message": "Incident is already acknowledged",
                }
            ]
        },
    )
    assert resolved.json() == {
        "results": [
            {
                "incidentNumber": "1",
                "entityId": "e1",
                "cmdAccepted": True,
                "message": "Incident 1 resolved",
            }
        ]
    }
    for response in (resolved_again, ack_resolved):
        assert response.json() == {
            "results": [
                {
                    "incidentNumber": "1",
                    "entityId": "e1",
                    "cmdAccepted": False,
                    "message": "Incident is already resolved",
                }
            ]
        }
    names = [t["name"] for t in api.get(f"{INCIDENTS}/1").json()["transitions"]]
    assert names == ["UNACKED", "ACKED", "RESOLVED"]


def test_parallel_acks_and_resolves_in_opposite_orders_each_act_once(
    api: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    numbers = [str(open_alert_incident(container, org.org_id, f"e{i}").number) for i in range(6)]
    forward = {"userName": "alice", "incidentNames": numbers}
    backward = {"userName": "bob", "incidentNames": numbers[::-1]}

    def command(i: int) -> tuple[str, int, list[dict[str, Any]]]:
        action, body = ("ack", forward) if i % 2 == 0 else ("resolve", backward)
        response = api.patch(f"{INCIDENTS}/{action}", json=body)
        return action, response.status_code, response.json()["results"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(command, range(8)))

    assert {status for _, status, _ in answers} == {200}
    resolved = [
        r["incidentNumber"]
        for action, _, results in answers
        if action == "resolve"
        for r in results
        if r["cmdAccepted"]
    ]
    assert sorted(resolved) == sorted(numbers)
    for number in numbers:
        names = [t["name"] for t in api.get(f"{INCIDENTS}/{number}").json()["transitions"]]
        assert names in (["UNACKED", "RESOLVED"], ["UNACKED", "ACKED", "RESOLVED"])


def test_ack_by_unknown_user_is_404_and_changes_nothing(
    api: TestClient, container: Container, org: Org
) -> None:
    one = open_alert_incident(container, org.org_id, "e1")

    response = api.patch(
        f"{INCIDENTS}/resolve", json={"userName": "ghost", "incidentNames": [str(one.number)]}
    )

    assert (response.status_code, response.json()) == (
        404,
        {"error": "User not found", "message": "User not found", "field": "userName"},
    )
    assert api.get(f"{INCIDENTS}/1").json()["currentPhase"] == "UNACKED"


def test_ack_needs_user_and_names(api: TestClient) -> None:
    response = api.patch(f"{INCIDENTS}/ack", json={"incidentNames": ["1"]})
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": "Missing field: userName",
            "message": "Missing field: userName",
            "field": "userName",
        },
    )
    response = api.patch(f"{INCIDENTS}/ack", json={"userName": "alice", "incidentNames": []})
    assert response.status_code == 400
    assert response.json()["field"] == "incidentNames"


def test_another_orgs_incident_is_not_found_by_number(
    api: TestClient, container: Container, ground: dict[str, str]
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    open_alert_incident(container, other.org_id, "theirs")

    response = api.patch(f"{INCIDENTS}/resolve", json={"userName": "bob", "incidentNames": [1]})

    assert response.json() == {
        "results": [
            {
                "incidentNumber": "1",
                "entityId": None,
                "cmdAccepted": False,
                "message": "Incident not found",
            }
        ]
    }


# ------------------------------------------------------------------ by user


def test_by_user_acts_on_every_open_incident_that_paged_the_user(
    api: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    mine = open_alert_incident(container, org.org_id, "mine", users=["alice"])
    open_alert_incident(container, org.org_id, "bobs", users=["bob"])
    acked = open_alert_incident(container, org.org_id, "acked", users=["alice", "bob"])
    repeat_alert(container, org.org_id, acked.number, message_type="ACKNOWLEDGEMENT")
    done = open_alert_incident(container, org.org_id, "done", users=["alice"])
    repeat_alert(container, org.org_id, done.number, message_type="RECOVERY")

    acked_now = api.patch(f"{INCIDENTS}/byUser/ack", json={"userName": "alice"})
    resolved_now = api.patch(
        f"{INCIDENTS}/byUser/resolve", json={"userName": "Alice", "message": "all clear"}
    )

    assert (acked_now.status_code, acked_now.json()) == (
        200,
        {
            "results": [
                {
                    "incidentNumber": str(mine.number),
                    "entityId": "mine",
                    "cmdAccepted": True,
                    "message": f"Incident {mine.number} acknowledged",
                }
            ]
        },
    )
    assert (resolved_now.status_code, resolved_now.json()) == (
        200,
        {
            "results": [
                {
                    "incidentNumber": str(mine.number),
                    "entityId": "mine",
                    "cmdAccepted": True,
                    "message": f"Incident {mine.number} resolved",
                },
                {
                    "incidentNumber": str(acked.number),
                    "entityId": "acked",
                    "cmdAccepted": True,
                    "message": f"Incident {acked.number} resolved",
                },
            ]
        },
    )
    phases = {i["entityId"]: i["currentPhase"] for i in api.get(INCIDENTS).json()["incidents"]}
    assert phases == {
        "mine": "RESOLVED",
        "bobs": "UNACKED",
        "acked": "RESOLVED",
        "done": "RESOLVED",
    }
    again = api.patch(f"{INCIDENTS}/byUser/resolve", json={"userName": "alice"})
    assert again.json() == {"results": []}


def test_by_user_with_unknown_user_is_404(api: TestClient) -> None:
    for action in ("ack", "resolve"):
        response = api.patch(f"{INCIDENTS}/byUser/{action}", json={"userName": "ghost"})
        assert (response.status_code, response.json()) == (
            404,
            {"error": "User not found", "message": "User not found", "field": "userName"},
        )


# ------------------------------------------------------------------ reroute


def test_reroute_replaces_targets_and_reports_each_incident_and_target(
    api: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    one = open_alert_incident(container, org.org_id, "e1", users=["alice"])
    repeat_alert(container, org.org_id, one.number, message_type="ACKNOWLEDGEMENT")
    done = open_alert_incident(container, org.org_id, "e2", users=["alice"])
    repeat_alert(container, org.org_id, done.number, message_type="RECOVERY")
    new_targets = [
        {"type": "EscalationPolicy", "slug": ground["policy"]},
        {"type": "User", "slug": "bob"},
        {"type": "User", "slug": "ghost"},
    ]

    response = api.post(
        f"{INCIDENTS}/reroute",
        json={
            "userName": "alice",
            "reroutes": [
                {"incidentNumber": one.number, "targets": new_targets},
                {"incidentNumber": str(done.number), "targets": [{"type": "User", "slug": "bob"}]},
                {"incidentNumber": "77", "targets": [{"type": "User", "slug": "bob"}]},
                {"incidentNumber": str(one.number), "targets": [{"type": "User", "slug": "nope"}]},
            ],
        },
    )

    accepted = {"success": True, "message": "Target accepted"}
    assert response.status_code == 200
    assert response.json() == {
        "statuses": [
            {
                "incidentNumber": "1",
                "success": True,
                "message": "Incident 1 rerouted",
                "targetStatus": [
                    {"slug": ground["policy"], **accepted},
                    {"slug": "bob", **accepted},
                    {"slug": "ghost", "success": False, "message": "User not found"},
                ],
            },
            {
                "incidentNumber": "2",
                "success": False,
                "message": "Incident is already resolved",
                "targetStatus": [{"slug": "bob", **accepted}],
            },
            {
                "incidentNumber": "77",
                "success": False,
                "message": "Incident not found",
                "targetStatus": [{"slug": "bob", **accepted}],
            },
            {
                "incidentNumber": "1",
                "success": False,
                "message": "No valid targets",
                "targetStatus": [{"slug": "nope", "success": False, "message": "User not found"}],
            },
        ]
    }
    shown = api.get(f"{INCIDENTS}/1").json()
    assert (
        shown["currentPhase"],
        shown["pagedUsers"],
        shown["pagedTeams"],
        shown["pagedPolicies"],
    ) == ("UNACKED", ["bob"], [ground["team"]], [_paged_policy(ground)])
    # The ack is undone by the reroute: the transitions say so, in order.
    assert [(t["name"], t["by"], t["manually"]) for t in shown["transitions"]] == [
        ("UNACKED", None, False),
        ("ACKED", "nagios", False),
        ("UNACKED", "alice", True),
    ]


def test_reroute_with_add_targets_keeps_the_old_ones(
    api: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    one = open_alert_incident(container, org.org_id, "e1", users=["alice"])

    response = api.post(
        f"{INCIDENTS}/reroute",
        json={
            "userName": "alice",
            "reroutes": [
                {
                    "incidentNumber": str(one.number),
                    "targets": [{"type": "User", "slug": "bob"}],
                    "addTargets": True,
                }
            ],
        },
    )

    assert response.json() == {
        "statuses": [
            {
                "incidentNumber": "1",
                "success": True,
                "message": "Incident 1 rerouted",
                "targetStatus": [{"slug": "bob", "success": True, "message": "Target accepted"}],
            }
        ]
    }
    assert api.get(f"{INCIDENTS}/1").json()["pagedUsers"] == ["alice", "bob"]


def test_reroute_by_unknown_user_is_404(api: TestClient) -> None:
    response = api.post(
        f"{INCIDENTS}/reroute",
        json={
            "userName": "ghost",
            "reroutes": [{"incidentNumber": "1", "targets": [{"type": "User", "slug": "x"}]}],
        },
    )
    assert (response.status_code, response.json()) == (
        404,
        {"error": "User not found", "message": "User not found", "field": "userName"},
    )


def test_read_only_key_cannot_command(
    client: TestClient, container: Container, org: Org, ground: dict[str, str]
) -> None:
    with container.sessions.transaction() as session:
        key = create_api_key(
            session, org.org_id, created_by=None, is_read_only=True, now=container.clock.now()
        )
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": key.api_key}

    response = client.post(
        INCIDENTS, headers=headers, json=_manual([{"type": "User", "slug": "bob"}])
    )

    assert response.status_code == 403
    assert client.get(INCIDENTS, headers=headers).json() == {"incidents": []}
