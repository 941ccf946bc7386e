"""Engine fixtures: an Engine over the test container with recording channels, and the ground
an escalation stands on (users, a team, policies, a routing key) made through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.deliveries.models import Delivery
from openoncall.engine.runner import build_engine
from openoncall.engine.worker import Engine
from openoncall.incidents.service import get_incident, list_timeline
from tests.conftest import Org
from tests.engine.channels import Outbox, recording_channels

ALERT_PATH = "/integrations/generic/20131114/alert"


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def worker(container: Container, outbox: Outbox) -> Iterator[Engine]:
    engine = build_engine(container, channels=recording_channels(outbox))
    yield engine
    engine.stop()


def add_user(api: TestClient, username: str) -> None:
    r = api.post(
        "/api-public/v1/user",
        json={
            "firstName": username.capitalize(),
            "lastName": "Tester",
            "username": username,
            "email": f"{username}@example.com",
        },
    )
    assert r.status_code == 200, r.text


def add_team(api: TestClient, name: str = "Ops") -> str:
    r = api.post("/api-public/v1/team", json={"name": name})
    assert r.status_code == 200, r.text
    slug: str = r.json()["slug"]
    return slug


def add_policy(api: TestClient, team: str, steps: list[dict[str, Any]], name: str = "Ops") -> str:
    r = api.post("/api-public/v1/policies", json={"name": name, "teamSlug": team, "steps": steps})
    assert r.status_code == 200, r.text
    slug: str = r.json()["slug"]
    return slug


def add_routing_key(api: TestClient, key: str, policies: list[str]) -> None:
    r = api.post("/api-public/v1/org/routing-keys", json={"routingKey": key, "targets": policies})
    assert r.status_code == 200, r.text


def user_entry(username: str) -> dict[str, Any]:
    return {"executionType": "user", "user": {"username": username}}


def post_alert(client: TestClient, org: Org, routing_key: str, **fields: Any) -> None:
    body = {"message_type": "CRITICAL", "entity_id": "disk-full", "state_message": "Disk full"}
    body.update(fields)
    r = client.post(f"{ALERT_PATH}/{org.boot.rest_endpoint_key}/{routing_key}", json=body)
    assert r.status_code == 200, r.text


def timeline(container: Container, org: Org, number: int) -> list[str]:
    """The incident's timeline as '<kind>: <message>' lines, in order."""
    with container.sessions.transaction(write=False) as session:
        incident = get_incident(session, org.org_id, number)
        return [f"{e.kind}: {e.message}" for e in list_timeline(session, org.org_id, incident.id)]


def deliveries(container: Container, org: Org) -> list[tuple[str, str, str, int]]:
    """(medium, destination, status, attempts) of every delivery, in creation order."""
    with container.sessions.transaction(write=False) as session:
        rows = session.scalars(
            select(Delivery).where(Delivery.org_id == org.org_id).order_by(Delivery.id)
        )
        return [(d.medium, d.destination, d.status, d.attempts) for d in rows]
