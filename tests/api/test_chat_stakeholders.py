"""POST /api-public/v1/chat and /stakeholders/sendMessage: timeline entries and delivery jobs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.chat.models import OrgEvent
from openoncall.container import Container
from openoncall.incidents.models import EventKind, Incident, IncidentEvent
from openoncall.jobs.models import Job
from openoncall.users.models import User
from tests.api.incident_builders import open_alert_incident
from tests.api.scheduling_builders import make_team, make_user
from tests.conftest import Org, make_org

CHAT = "/api-public/v1/chat"
SEND = "/api-public/v1/stakeholders/sendMessage"


@pytest.fixture
def ground(container: Container, org: Org) -> dict[str, Any]:
    make_user(container, org.org_id, "alice", "Alice", "Archer")
    make_user(container, org.org_id, "bob", "Bob", "Baker")
    make_user(container, org.org_id, "carol", "Carol", "Cole")
    opened = open_alert_incident(container, org.org_id, "disk/web-1", display_name="Disk")
    return {
        "team": make_team(container, org.org_id, "Ops", ["bob", "carol"]),
        "empty": make_team(container, org.org_id, "Empty"),
        "incident": opened.number,
    }


def _incident_events(container: Container, kind: str) -> list[tuple[int, str | None, str, Any]]:
    with container.sessions.transaction() as session:
        rows = session.scalars(
            select(IncidentEvent).where(IncidentEvent.kind == kind).order_by(IncidentEvent.id)
        )
        return [(e.incident_id, e.actor, e.message, e.data) for e in rows]


def _org_events(container: Container) -> list[tuple[int, str, str | None, str, Any]]:
    with container.sessions.transaction() as session:
        rows = session.scalars(select(OrgEvent).order_by(OrgEvent.id))
        return [(e.org_id, e.kind, e.actor, e.message, e.data) for e in rows]


def _stakeholder_jobs(container: Container) -> list[tuple[str | None, dict[str, Any]]]:
    with container.sessions.transaction() as session:
        rows = session.scalars(
            select(Job).where(Job.kind == "stakeholder.message").order_by(Job.id)
        )
        return [(j.dedupe_key, j.payload) for j in rows]


def _incident_id(container: Container) -> int:
    with container.sessions.transaction() as session:
        return session.scalars(select(Incident.id)).one()


# ------------------------------------------------------------------ chat


def test_chat_goes_on_the_incident_timeline(
    api: TestClient, container: Container, ground: dict[str, Any]
) -> None:
    response = api.post(
        CHAT,
        json={
            "username": "alice",
            "externalUsername": "alice.slack",
            "text": "Looking into it",
            "monitoringTool": "slack",
            "incidentId": ground["incident"],
            "tags": ["ops"],
        },
    )

    assert (response.status_code, response.json()) == (200, {"result": "ok"})
    assert _incident_events(container, EventKind.CHAT) == [
        (
            _incident_id(container),
            "alice",
            "Looking into it",
            {"externalUsername": "alice.slack", "monitoringTool": "slack", "tags": ["ops"]},
        )
    ]
    assert _org_events(container) == []


def test_chat_without_incident_goes_on_the_org_timeline(
    api: TestClient, container: Container, org: Org, ground: dict[str, Any]
) -> None:
    response = api.post(CHAT, json={"username": "Bob", "text": "Deploy starts at 3"})

    assert (response.status_code, response.json()) == (200, {"result": "ok"})
    assert _org_events(container) == [
        (
            org.org_id,
            "chat",
            "bob",
            "Deploy starts at 3",
            {"externalUsername": None, "monitoringTool": None, "tags": []},
        )
    ]
    assert _incident_events(container, EventKind.CHAT) == []


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"username": "ghost", "text": "hi"}, 404,
         {"error": "User not found", "field": "username"}),
        ({"username": "alice", "text": "hi", "incidentId": 9}, 404,
         {"error": "Incident 9 not found", "field": "incidentId"}),
        ({"username": "alice"}, 400, {"error": "Missing field: text", "field": "text"}),
        ({"username": "alice", "text": "a\u0000b"}, 400,
         {"error": "Invalid value for field 'text': Value error, must not contain NUL characters",
          "field": "text"}),
        ({"username": "alice", "text": ""}, 400,
         {"error": "Invalid value for field 'text': String should have at least 1 character",
          "field": "text"}),
    ],
    ids=["unknown-user", "unknown-incident", "no-text", "nul-in-text", "empty-text"],
)  # fmt: skip
def test_chat_is_refused_and_nothing_recorded_when_input_is_bad(
    *,
    api: TestClient,
    container: Container,
    ground: dict[str, Any],
    body: dict[str, Any],
    status: int,
    error: dict[str, str],
) -> None:
    response = api.post(CHAT, json=body)

    assert (response.status_code, response.json()) == (status, {**error, "message": error["error"]})
    assert _org_events(container) == []
    assert _incident_events(container, EventKind.CHAT) == []


# ------------------------------------------------------------------ stakeholder messages


def test_stakeholder_message_is_recorded_and_queued_per_recipient(
    api: TestClient, container: Container, ground: dict[str, Any]
) -> None:
    response = api.post(
        SEND,
        json={
            "title": "Checkout degraded",
            "message": "We are working on it; next update in 30 minutes.",
            "incidentId": ground["incident"],
            "recipients": ["alice", "bob"],
            "recipientTeams": [ground["team"]],
        },
    )

    assert (response.status_code, response.json()) == (
        200,
        {"result": "ok", "recipients": ["alice", "bob", "carol"]},
    )
    incident_id = _incident_id(container)
    events = _incident_events(container, EventKind.STAKEHOLDER)
    assert events == [
        (
            incident_id,
            "admin",
            "We are working on it; next update in 30 minutes.",
            {
                "title": "Checkout degraded",
                "recipients": ["alice", "bob", "carol"],
                "recipientTeams": [ground["team"]],
            },
        )
    ]
    with container.sessions.transaction() as session:
        event_id = session.scalars(
            select(IncidentEvent.id).where(IncidentEvent.kind == EventKind.STAKEHOLDER)
        ).one()
        user_ids: dict[str, int] = dict(session.execute(select(User.username, User.id)).all())
    assert _stakeholder_jobs(container) == [
        (
            f"stakeholder:incident:{event_id}:{user_ids[name]}",
            {
                "user_id": user_ids[name],
                "username": name,
                "title": "Checkout degraded",
                "message": "We are working on it; next update in 30 minutes.",
                "sender": "admin",
                "incident_number": "1",
                "event_table": "incident_event",
                "event_id": event_id,
            },
        )
        for name in ("alice", "bob", "carol")
    ]


def test_stakeholder_message_without_incident_goes_on_the_org_timeline(
    api: TestClient, container: Container, org: Org, ground: dict[str, Any]
) -> None:
    response = api.post(
        SEND, json={"title": "FYI", "message": "Maintenance tonight", "recipients": ["carol"]}
    )

    assert (response.status_code, response.json()) == (
        200,
        {"result": "ok", "recipients": ["carol"]},
    )
    assert _org_events(container) == [
        (
            org.org_id,
            "stakeholder",
            "admin",
            "Maintenance tonight",
            {"title": "FYI", "recipients": ["carol"], "recipientTeams": []},
        )
    ]
    assert [
        (p["username"], p["event_table"], p["incident_number"])
        for _, p in _stakeholder_jobs(container)
    ] == [("carol", "org_event", None)]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"title": "t", "message": "m"}, 400,
         {"error": "At least one recipient (recipients or recipientTeams) is required",
          "field": "recipients"}),
        ({"title": "t", "message": "m", "recipients": ["alice", "ghost"]}, 404,
         {"error": "User not found: ghost", "field": "recipients"}),
        ({"title": "t", "message": "m", "recipientTeams": ["team-nope"]}, 404,
         {"error": "Team not found: team-nope", "field": "recipientTeams"}),
        ({"title": "t", "message": "m", "recipients": ["alice"], "incidentId": "42"}, 404,
         {"error": "Incident 42 not found", "field": "incidentId"}),
        ({"message": "m", "recipients": ["alice"]}, 400,
         {"error": "Missing field: title", "field": "title"}),
    ],
    ids=["no-recipients", "unknown-user", "unknown-team", "unknown-incident", "no-title"],
)  # fmt: skip
def test_stakeholder_message_is_refused_and_nothing_queued_when_input_is_bad(
    *,
    api: TestClient,
    container: Container,
    ground: dict[str, Any],
    body: dict[str, Any],
    status: int,
    error: dict[str, str],
) -> None:
    response = api.post(SEND, json=body)

    assert (response.status_code, response.json()) == (status, {**error, "message": error["error"]})
    assert _stakeholder_jobs(container) == []
    assert _org_events(container) == []
    assert _incident_events(container, EventKind.STAKEHOLDER) == []


def test_stakeholder_message_to_an_empty_team_is_refused(
    api: TestClient, container: Container, ground: dict[str, Any]
) -> None:
    response = api.post(
        SEND, json={"title": "t", "message": "m", "recipientTeams": [ground["empty"]]}
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": "The recipient teams have no members",
            "message": "The recipient teams have no members",
            "field": "recipientTeams",
        },
    )
    assert _stakeholder_jobs(container) == []


def test_another_orgs_users_and_teams_are_unknown(
    api: TestClient, container: Container, ground: dict[str, Any]
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    their_team = make_team(container, other.org_id, "Theirs", ["boss"])

    by_user = api.post(SEND, json={"title": "t", "message": "m", "recipients": ["boss"]})
    by_team = api.post(SEND, json={"title": "t", "message": "m", "recipientTeams": [their_team]})

    assert (by_user.status_code, by_user.json()) == (
        404,
        {"error": "User not found: boss", "message": "User not found: boss", "field": "recipients"},
    )
    assert (by_team.status_code, by_team.json()) == (
        404,
        {
            "error": f"Team not found: {their_team}",
            "message": f"Team not found: {their_team}",
            "field": "recipientTeams",
        },
    )
