"""Scheduled overrides: the eight operations, their assignments and their effect on on-call."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.audit.models import AuditEvent
from openoncall.container import Container
from tests.api.scheduling_builders import OpsTeam, make_ops_team, make_policy
from tests.conftest import Org, make_org

OVERRIDES = "/api-public/v1/overrides"
# alice is on call all week from Monday 5 January 09:00Z (see make_ops_team).
ALICE_TUESDAY = {
    "username": "alice",
    "timezone": "America/New_York",
    "start": "2026-01-06T09:00:00",
    "end": "2026-01-06T17:00:00",
}


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _create(api: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post(OVERRIDES, json=body)
    assert r.status_code == 200, r.text
    created: dict[str, Any] = r.json()["schedule"]
    return created


def _expected(
    public_id: str, ops: OpsTeam, policies: list[tuple[str, str | None]]
) -> dict[str, Any]:
    return {
        "publicId": public_id,
        "user": {"username": "alice", "firstName": "Alice", "lastName": "Tester"},
        "timezone": "America/New_York",
        "start": "2026-01-06T09:00:00-05:00",
        "end": "2026-01-06T17:00:00-05:00",
        "assignments": [
            {
                "_selfUrl": f"{OVERRIDES}/{public_id}/assignments/{slug}",
                "team": ops.team,
                "policy": slug,
                "assigned": user is not None,
                "user": user,
            }
            for slug, user in policies
        ],
    }


def test_create_makes_one_unassigned_assignment_per_policy_of_the_user(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    second = make_policy(api, ops.team, "Ops secondary", [ops.rotation])
    r = api.post(OVERRIDES, json=ALICE_TUESDAY)
    assert r.status_code == 200
    public_id = r.json()["schedule"]["publicId"]
    expected = _expected(public_id, ops, [(ops.policy, None), (second, None)])
    assert r.json() == {"_selfUrl": f"{OVERRIDES}/{public_id}", "schedule": expected}
    assert api.get(f"{OVERRIDES}/{public_id}").json() == {
        "_selfUrl": f"{OVERRIDES}/{public_id}",
        "override": expected,
    }
    assert api.get(OVERRIDES).json() == {"_selfUrl": OVERRIDES, "overrides": [expected]}
    assert api.get(f"{OVERRIDES}/{public_id}/assignments").json() == expected["assignments"]
    r = api.get(f"{OVERRIDES}/{public_id}/assignments/{second}")
    assert r.status_code == 200
    assert r.json() == expected["assignments"][1]


def test_override_of_someone_not_on_call_has_no_assignments(api: TestClient, ops: OpsTeam) -> None:
    created = _create(api, {**ALICE_TUESDAY, "username": "bob"})
    assert created["assignments"] == []
    assert created["user"] == {"username": "bob", "firstName": "Bob", "lastName": "Tester"}


def test_assigned_policy_goes_to_the_assignee_and_unassigned_keeps_its_schedule(
    api: TestClient, ops: OpsTeam
) -> None:
    second = make_policy(api, ops.team, "Ops secondary", [ops.rotation])
    public_id = _create(api, ALICE_TUESDAY)["publicId"]
    url = f"{OVERRIDES}/{public_id}/assignments/{ops.policy}"
    r = api.put(url, json={"policy": ops.policy, "username": "dave"})
    assert r.status_code == 200
    assert r.json() == {
        "_selfUrl": url,
        "team": ops.team,
        "policy": ops.policy,
        "assigned": True,
        "user": "dave",
    }
    # Tuesday 6 January 09:00-17:00 New York = 14:00-22:00Z: dave on the assigned policy only.
    r = api.get(f"/api-public/v2/team/{ops.team}/oncall/schedule", params={"daysForward": 2})
    schedules = {s["policy"]["slug"]: s for s in r.json()["schedules"]}
    override = {
        "origOnCallUser": {"username": "alice"},
        "overrideOnCallUser": {"username": "dave"},
        "start": "2026-01-06T14:00:00+00:00",
        "end": "2026-01-06T22:00:00+00:00",
    }
    assert schedules[ops.policy]["overrides"] == [override]
    assert schedules[second]["overrides"] == []
    full = api.get(f"{OVERRIDES}/{public_id}").json()["override"]
    assert [(a["policy"], a["assigned"], a["user"]) for a in full["assignments"]] == [
        (ops.policy, True, "dave"),
        (second, False, None),
    ]
    # Unassigning with an empty username puts it back to the normal schedule.
    r = api.put(url, json={"policy": ops.policy})
    assert r.json()["assigned"] is False
    r = api.get(f"/api-public/v2/team/{ops.team}/oncall/schedule", params={"daysForward": 2})
    assert [s["overrides"] for s in r.json()["schedules"]] == [[], []]


def test_delete_assignment_returns_it_and_it_is_gone(api: TestClient, ops: OpsTeam) -> None:
    public_id = _create(api, ALICE_TUESDAY)["publicId"]
    url = f"{OVERRIDES}/{public_id}/assignments/{ops.policy}"
    api.put(url, json={"policy": ops.policy, "username": "dave"})
    r = api.delete(url)
    assert r.status_code == 200
    assert r.json() == {
        "_selfUrl": url,
        "team": ops.team,
        "policy": ops.policy,
        "assigned": True,
        "user": "dave",
    }
    r = api.get(url)
    assert r.status_code == 404
    assert r.json() == {
        "error": f"Override {public_id} has no assignment for policy {ops.policy}",
        "message": f"Override {public_id} has no assignment for policy {ops.policy}",
        "field": "policySlug",
    }
    assert api.get(f"{OVERRIDES}/{public_id}/assignments").json() == []
    # PUT creates it again.
    assert api.put(url, json={"policy": ops.policy, "username": "bob"}).json()["user"] == "bob"


def test_delete_override_removes_it_and_its_effect(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    public_id = _create(api, ALICE_TUESDAY)["publicId"]
    url = f"{OVERRIDES}/{public_id}/assignments/{ops.policy}"
    api.put(url, json={"policy": ops.policy, "username": "dave"})
    r = api.request("DELETE", f"{OVERRIDES}/{public_id}", json={})
    assert r.status_code == 200
    assert r.json() == {}
    assert api.get(f"{OVERRIDES}/{public_id}").status_code == 404
    assert api.delete(f"{OVERRIDES}/{public_id}").status_code == 404
    assert api.get(OVERRIDES).json() == {"_selfUrl": OVERRIDES, "overrides": []}
    r = api.get(f"/api-public/v2/team/{ops.team}/oncall/schedule", params={"daysForward": 2})
    assert r.json()["schedules"][0]["overrides"] == []
    with container.sessions.transaction(write=False) as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == public_id)
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["override.create", "override.assign", "override.delete"]


@pytest.mark.parametrize(
    ("change", "status", "error", "field"),
    [
        ({"username": "ghost"}, 404, "User not found: ghost", "username"),
        ({"timezone": "Mars/Olympus"}, 400, "Unknown time zone: 'Mars/Olympus'", "timezone"),
        ({"start": "next tuesday"}, 400, "Invalid ISO-8601 date-time: 'next tuesday'", "start"),
        ({"end": "2026-01-06T08:00:00"}, 400, "end must be after start", "end"),
        ({"start": "0001-01-01T00:00:00"}, 400, "start must be between 1970 and 2200", "start"),
        ({"end": "2027-02-06T17:00:00"}, 400, "An override may last at most 366 days", "end"),
    ],
    ids=["unknown-user", "bad-zone", "bad-start", "end-before-start", "year-1", "too-long"],
)
def test_create_with_bad_input_names_the_field_and_writes_nothing(
    api: TestClient, ops: OpsTeam, *, change: dict[str, str], status: int, error: str, field: str
) -> None:
    r = api.post(OVERRIDES, json={**ALICE_TUESDAY, **change})
    assert r.status_code == status
    assert r.json() == {"error": error, "message": error, "field": field}
    assert api.get(OVERRIDES).json()["overrides"] == []


def test_start_and_end_with_offsets_are_instants(api: TestClient, ops: OpsTeam) -> None:
    created = _create(
        api, {**ALICE_TUESDAY, "start": "2026-01-06T14:00:00Z", "end": "2026-01-06T17:00:00-05:00"}
    )
    assert (created["start"], created["end"]) == (
        "2026-01-06T09:00:00-05:00",
        "2026-01-06T17:00:00-05:00",
    )


def test_assignment_errors(api: TestClient, ops: OpsTeam) -> None:
    public_id = _create(api, ALICE_TUESDAY)["publicId"]
    url = f"{OVERRIDES}/{public_id}/assignments/{ops.policy}"
    cases = [
        (
            url,
            {"policy": "pol-other", "username": "dave"},
            400,
            {
                "error": f"policy pol-other does not match the path's {ops.policy}",
                "message": f"policy pol-other does not match the path's {ops.policy}",
                "field": "policy",
            },
        ),
        (
            url,
            {"policy": ops.policy, "username": "ghost"},
            404,
            {
                "error": "User not found: ghost",
                "message": "User not found: ghost",
                "field": "username",
            },
        ),
        (
            f"{OVERRIDES}/{public_id}/assignments/pol-nope",
            {"policy": "pol-nope"},
            404,
            {
                "error": "Escalation policy not found: pol-nope",
                "message": "Escalation policy not found: pol-nope",
                "field": "policySlug",
            },
        ),
        (
            f"{OVERRIDES}/ovr-nope/assignments/{ops.policy}",
            {"policy": ops.policy},
            404,
            {
                "error": "Scheduled override not found: ovr-nope",
                "message": "Scheduled override not found: ovr-nope",
                "field": "publicId",
            },
        ),
        (
            url,
            {"username": "dave"},
            400,
            {
                "error": "Missing field: policy",
                "message": "Missing field: policy",
                "field": "policy",
            },
        ),
    ]
    for path, body, status, answer in cases:
        r = api.put(path, json=body)
        assert (r.status_code, r.json()) == (status, answer), path
    assert api.get(url).json()["assigned"] is False


def test_overrides_are_private_and_ended_ones_are_not_listed(
    api: TestClient, ops: OpsTeam, container: Container
) -> None:
    past = _create(
        api, {**ALICE_TUESDAY, "start": "2026-01-01T09:00:00", "end": "2026-01-02T09:00:00"}
    )
    assert past["assignments"] == []  # the rotation starts on 5 January
    current = _create(api, ALICE_TUESDAY)
    listed = api.get(OVERRIDES).json()["overrides"]
    assert [o["publicId"] for o in listed] == [current["publicId"]]
    assert api.get(f"{OVERRIDES}/{past['publicId']}").status_code == 200
    other = make_org(container, name="Globex")
    assert api.get(OVERRIDES, headers=other.headers).json()["overrides"] == []
    r = api.get(f"{OVERRIDES}/{current['publicId']}", headers=other.headers)
    assert r.status_code == 404
