"""One alert's life in the log: accepted, opened, page planned, delivery attempt and outcome,
acknowledged from the link, resolved by a RECOVERY; plus the audit and access lines. Every
line renders as JSON, and no secret (API key, endpoint key, link token) appears in any."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from openoncall.app import create_app
from openoncall.audit.service import record_audit
from openoncall.container import Container
from openoncall.engine.runner import build_engine
from openoncall.observe.logs import JsonFormatter, TextFormatter
from openoncall.settings import Settings
from tests.conftest import Org
from tests.engine.channels import Outbox, recording_channels
from tests.engine.conftest import (
    ALERT_PATH,
    add_policy,
    add_routing_key,
    add_team,
    add_user,
    post_alert,
    user_entry,
)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url, rate_limit_scale=0, usage_flush_seconds=0.05, access_log=True
    )


@pytest.fixture
def app(container: Container) -> FastAPI:
    return create_app(container)


def _ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    # The test client logs its own requests, full URLs included; the server never sees those.
    return [r for r in caplog.records if r.name.startswith("openoncall")]


def _json_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in _ours(caplog)]


def _by_event(found: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [line for line in found if line.get("event") == name]


def test_one_alerts_life_is_logged_with_its_ids_and_no_secret(
    api: TestClient, org: Org, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = Outbox()
    worker = build_engine(container, channels=recording_channels(outbox))
    caplog.set_level(logging.INFO)
    add_user(api, "alice")
    policy = add_policy(api, add_team(api), [{"timeout": 0, "entries": [user_entry("alice")]}])
    add_routing_key(api, "db", [policy])
    try:
        post_alert(api, org, "db")
        worker.run_once()
        (mail,) = outbox.sent
        ack_path = urlsplit(mail.data["ack_url"]).path
        assert api.post(ack_path).status_code == 200
        post_alert(api, org, "db", message_type="RECOVERY")
        worker.run_once()
    finally:
        worker.stop()
    found = _json_lines(caplog)

    (accepted, recovery) = _by_event(found, "alert.accepted")
    (opened,) = _by_event(found, "incident.opened")
    incident_id = opened["incident_id"]
    assert accepted["org_id"] == opened["org_id"] == org.org_id
    assert accepted["incident_id"] == incident_id
    assert (accepted["endpoint"], accepted["message_type"]) == ("rest", "CRITICAL")
    assert recovery["message_type"] == "RECOVERY"
    assert opened["alert_uuid"] == accepted["alert_uuid"]
    (planned,) = _by_event(found, "page.planned")
    assert planned["incident_id"] == incident_id
    assert (planned["channel"], planned["purpose"]) == ("email", "page")
    (attempt,) = _by_event(found, "delivery.attempt")
    (sent,) = _by_event(found, "delivery.sent")
    for line in (attempt, sent):
        assert line["delivery_id"] == planned["delivery_id"]
        assert line["job_id"] == planned["job_id"]
        assert line["org_id"] == org.org_id
    assert sent["duration_ms"] >= 0
    (acked,) = _by_event(found, "incident.acknowledged")
    (resolved,) = _by_event(found, "incident.resolved")
    assert acked["incident_id"] == resolved["incident_id"] == incident_id
    assert acked["manually"] is True
    assert resolved["alert_uuid"] == recovery["alert_uuid"]

    (audit,) = [a for a in _by_event(found, "audit") if a["action"] == "policy.create"]
    assert (audit["org_id"], audit["subject_type"], audit["subject_id"]) == (
        org.org_id,
        "escalation_policy",
        policy,
    )

    # The access log names the alert and link routes with their secrets redacted.
    access = _by_event(found, "http.request")
    alert_lines = [a for a in access if a["path"].startswith(ALERT_PATH)]
    assert [a["path"] for a in alert_lines] == [f"{ALERT_PATH}/[redacted]/db"] * 2
    assert [a["status"] for a in access if a["path"] == "/links/[redacted]"] == [200]

    text = "\n".join(TextFormatter().format(r) for r in _ours(caplog))
    dumped = json.dumps(found)
    token = ack_path.rsplit("/", 1)[1]
    for secret in (org.boot.api_key, org.boot.rest_endpoint_key, token):
        assert secret not in dumped
        assert secret not in text
    assert f"incident_id={incident_id}" in text


def test_changes_made_with_an_api_key_are_logged_with_org_and_key(
    api: TestClient, org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    add_user(api, "bob")
    assert api.get("/api-public/v1/user").status_code == 200
    found = _json_lines(caplog)
    (action,) = _by_event(found, "api.action")
    assert (action["method"], action["path"], action["status"]) == (
        "POST",
        "/api-public/v1/user",
        200,
    )
    assert action["org_id"] == org.org_id
    assert isinstance(action["api_key_id"], int)
    # Reads are not actions; with the access log on they still have their line.
    assert [a["method"] for a in _by_event(found, "http.request")] == ["POST", "GET"]


def test_the_access_log_is_off_unless_switched_on(
    org: Org, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    container.settings.access_log = False
    with TestClient(create_app(container)) as client:
        caplog.set_level(logging.INFO)
        assert client.get("/api-public/v1/user", headers=org.headers).status_code == 200
    assert _by_event(_json_lines(caplog), "http.request") == []


def test_a_rolled_back_change_logs_nothing(
    org: Org, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    def audit(session: Session, subject: str) -> None:
        record_audit(
            session,
            org.org_id,
            actor="ada",
            action="test.change",
            subject_type="thing",
            subject_id=subject,
            now=container.clock.now(),
        )

    def undone() -> None:
        with container.sessions.transaction() as session:
            audit(session, "undone")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        undone()
    with container.sessions.transaction() as session:
        audit(session, "kept")
        with pytest.raises(RuntimeError), session.begin_nested():
            raise RuntimeError
    subjects = [line["subject_id"] for line in _by_event(_json_lines(caplog), "audit")]
    assert subjects == ["kept"]
