"""Incident notes: list, create, update, delete (NOTES (b) "Notes"), and their timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.incidents.models import EventKind, IncidentEvent
from tests.api.incident_builders import open_alert_incident
from tests.conftest import Org, make_org

NOTES = "/api-public/v1/incidents/1/notes"


@pytest.fixture
def incident(container: Container, org: Org) -> int:
    return open_alert_incident(container, org.org_id, "disk/web-1", display_name="Disk").number


def _note_events(container: Container) -> list[tuple[str | None, str, str, dict[str, object]]]:
    with container.sessions.transaction() as session:
        events = session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.kind == EventKind.NOTE)
            .order_by(IncidentEvent.id)
        )
        return [(e.actor, e.at.isoformat(), e.message, e.data) for e in events]


def test_notes_lifecycle_when_created_updated_and_deleted(
    api: TestClient, container: Container, clock: FrozenClock, incident: int
) -> None:
    assert (api.get(NOTES).status_code, api.get(NOTES).json()) == (200, [])

    created = api.post(
        NOTES,
        json={
            "name": "runbook",
            "display_name": "Runbook",
            "json_value": {"url": "https://wiki.example/disk", "steps": [1, 2]},
        },
    )
    assert (created.status_code, created.json()) == (
        200,
        {
            "name": "runbook",
            "displayName": "Runbook",
            "json_value": {"url": "https://wiki.example/disk", "steps": [1, 2]},
        },
    )
    second = api.post(NOTES, json={"name": "owner", "json_value": {"team": "ops"}})
    assert second.json() == {"name": "owner", "displayName": "owner", "json_value": {"team": "ops"}}

    clock.advance(timedelta(minutes=1))
    updated = api.put(
        f"{NOTES}/runbook",
        json={"name": "runbook", "display_name": "Runbook v2", "json_value": {"url": "x"}},
    )
    assert (updated.status_code, updated.json()) == (
        200,
        {"name": "runbook", "displayName": "Runbook v2", "json_value": {"url": "x"}},
    )
    assert api.get(NOTES).json() == [
        {"name": "runbook", "displayName": "Runbook v2", "json_value": {"url": "x"}},
        {"name": "owner", "displayName": "owner", "json_value": {"team": "ops"}},
    ]

    clock.advance(timedelta(minutes=1))
    deleted = api.request("DELETE", f"{NOTES}/owner", json={})
    assert (deleted.status_code, deleted.json()) == (
        200,
        {"name": "owner", "displayName": "owner", "json_value": {"team": "ops"}},
    )
    assert api.get(NOTES).json() == [
        {"name": "runbook", "displayName": "Runbook v2", "json_value": {"url": "x"}}
    ]
    # Each change is on the incident's timeline, acting as the key's creator (the admin).
    assert _note_events(container) == [
        (
            "admin",
            "2026-01-05T12:00:00+00:00",
            "Note runbook created",
            {
                "action": "created",
                "name": "runbook",
                "displayName": "Runbook",
                "json_value": {"url": "https://wiki.example/disk", "steps": [1, 2]},
            },
        ),
        (
            "admin",
            "2026-01-05T12:00:00+00:00",
            "Note owner created",
            {
                "action": "created",
                "name": "owner",
                "displayName": "owner",
                "json_value": {"team": "ops"},
            },
        ),
        (
            "admin",
            "2026-01-05T12:01:00+00:00",
            "Note runbook updated",
            {
                "action": "updated",
                "name": "runbook",
                "displayName": "Runbook v2",
                "json_value": {"url": "x"},
            },
        ),
        (
            "admin",
            "2026-01-05T12:02:00+00:00",
            "Note owner deleted",
            {"action": "deleted", "name": "owner", "displayName": "owner", "json_value": None},
        ),
    ]


def test_camel_case_display_name_is_accepted_too(api: TestClient, incident: int) -> None:
    response = api.post(NOTES, json={"name": "n", "displayName": "Shown", "json_value": {}})
    assert response.json() == {"name": "n", "displayName": "Shown", "json_value": {}}


def test_put_keeps_display_name_when_not_given(api: TestClient, incident: int) -> None:
    api.post(NOTES, json={"name": "n", "display_name": "Shown", "json_value": {"a": 1}})
    response = api.put(f"{NOTES}/n", json={"json_value": {"a": 2}})
    assert response.json() == {"name": "n", "displayName": "Shown", "json_value": {"a": 2}}


def test_duplicate_note_name_is_refused(api: TestClient, incident: int) -> None:
    api.post(NOTES, json={"name": "n", "json_value": {}})
    response = api.post(NOTES, json={"name": "n", "json_value": {"b": 1}})
    assert (response.status_code, response.json()) == (
        422,
        {
            "error": "Note n already exists on incident 1",
            "message": "Note n already exists on incident 1",
            "field": "name",
        },
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error"),
    [
        ("GET", "/api-public/v1/incidents/9/notes", None, 404,
         {"error": "Incident 9 not found", "field": "incidentNumber"}),
        ("POST", "/api-public/v1/incidents/9/notes", {"name": "n", "json_value": {}}, 404,
         {"error": "Incident 9 not found", "field": "incidentNumber"}),
        ("PUT", "/api-public/v1/incidents/9/notes/n", {"json_value": {}}, 404,
         {"error": "Incident 9 not found", "field": "incidentNumber"}),
        ("DELETE", "/api-public/v1/incidents/9/notes/n", None, 404,
         {"error": "Incident 9 not found", "field": "incidentNumber"}),
        ("PUT", f"{NOTES}/missing", {"json_value": {}}, 404,
         {"error": "Note missing not found on incident 1", "field": "noteName"}),
        ("DELETE", f"{NOTES}/missing", None, 404,
         {"error": "Note missing not found on incident 1", "field": "noteName"}),
        ("DELETE", f"{NOTES}/a%00b", None, 404,
         {"error": "Note a\u0000b not found on incident 1", "field": "noteName"}),
        ("POST", NOTES, {"name": "a\u0000b", "json_value": {}}, 400,
         {"error": "Invalid value for field 'name': Value error, must not contain NUL characters",
          "field": "name"}),
        ("POST", NOTES, {"json_value": {}}, 400,
         {"error": "Missing field: name", "field": "name"}),
        ("POST", NOTES, {"name": "n", "json_value": [1, 2]}, 400,
         {"error": "Invalid value for field 'json_value': Input should be a valid dictionary",
          "field": "json_value"}),
    ],
    ids=["get-unknown-incident", "post-unknown-incident", "put-unknown-incident",
         "delete-unknown-incident", "put-unknown-note", "delete-unknown-note", "nul-in-path",
         "nul-in-name", "no-name",
         "value-not-object"],
)  # fmt: skip
def test_notes_errors_name_what_is_wrong(
    *,
    api: TestClient,
    incident: int,
    method: str,
    path: str,
    body: dict[str, object] | None,
    status: int,
    error: dict[str, str],
) -> None:
    response = api.request(method, path, json=body)
    assert (response.status_code, response.json()) == (status, {**error, "message": error["error"]})


def test_notes_of_another_orgs_incident_are_not_found(
    api: TestClient, container: Container
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    open_alert_incident(container, other.org_id, "theirs")
    response = api.get(NOTES)
    assert (response.status_code, response.json()) == (
        404,
        {
            "error": "Incident 1 not found",
            "message": "Incident 1 not found",
            "field": "incidentNumber",
        },
    )
