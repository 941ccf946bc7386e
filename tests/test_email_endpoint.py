"""Email alerts through a real SMTP session (smtplib client → aiosmtpd listener on port 0),
on SQLite and PostgreSQL: keyword subjects drive the incident lifecycle, the org default
applies to plain subjects, unknown keys are refused."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.alerts.email_listener import EmailListener, install_email_listener
from openoncall.alerts.models import Alert
from openoncall.alerts.writer import writer_for
from openoncall.app import create_app
from openoncall.container import Container
from openoncall.orgs.models import Organization
from tests.conftest import Org


@pytest.fixture
def smtp_port(container: Container) -> Iterator[int]:
    listener = EmailListener(container, host="127.0.0.1", port=0)
    listener.start()
    yield listener.port
    listener.stop()
    # Without an app lifespan around the test, stop the writer the listener started.
    writer_for(container).stop()


def send(port: int, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = "nagios@monitoring.example"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_email_alerts_open_ack_and_resolve(
    api: TestClient, org: Org, container: Container, smtp_port: int
) -> None:
    api.post("/api-public/v1/org/routing-keys", json={"routingKey": "db"})
    to = f"{org.boot.email_key}+db@alert.example"
    send(smtp_port, to, "CRITICAL: disk full on db01", "95% used on /var")
    send(smtp_port, to, "critical: disk full on db01", "97% used on /var")
    # `.` stands in for `+` for mail systems that cannot send `+`.
    send(smtp_port, f"{org.boot.email_key}.db@alert.example", "ACK disk full on db01", "mine")

    incident = api.get("/api-public/v1/incidents/1").json()
    with container.sessions.transaction(write=False) as session:
        alerts = session.scalars(select(Alert).order_by(Alert.id)).all()
    uuids = [a.uuid for a in alerts]
    assert incident == {
        "incidentNumber": "1",
        "startTime": "2026-01-05T12:00:00Z",
        "currentPhase": "ACKED",
        "alertCount": 2,
        "lastAlertTime": "2026-01-05T12:00:00Z",
        "lastAlertId": uuids[1],
        "entityId": "disk full on db01",
        "entityDisplayName": "CRITICAL: disk full on db01",
        "entityState": "CRITICAL",
        "entityType": "SERVICE",
        "routingKey": "db",
        "host": None,
        "service": None,
        "pagedUsers": [],
        "pagedTeams": [],
        "pagedPolicies": [],
        "transitions": [
            {
                "name": "UNACKED",
                "at": "2026-01-05T12:00:00Z",
                "by": "Email",
                "message": "CRITICAL: disk full on db01",
                "manually": False,
                "alertId": uuids[0],
                "alertUrl": f"/api-public/v1/alerts/{uuids[0]}",
            },
            {
                "name": "ACKED",
                "at": "2026-01-05T12:00:00Z",
                "by": "Email",
                "message": "mine",
                "manually": False,
                "alertId": uuids[2],
                "alertUrl": f"/api-public/v1/alerts/{uuids[2]}",
            },
        ],
        "firstAlertUuid": uuids[0],
        "monitorName": "Email",
        "monitorType": "Email",
    }
    assert [(a.source, a.message_type, a.state_message) for a in alerts] == [
        ("EMAIL", "CRITICAL", "95% used on /var"),
        ("EMAIL", "CRITICAL", "97% used on /var"),
        ("EMAIL", "ACKNOWLEDGEMENT", "mine"),
    ]

    send(smtp_port, to, "RESOLVED: disk full on db01", "back to 40%")
    assert api.get("/api-public/v1/incidents/1").json()["currentPhase"] == "RESOLVED"


def test_plain_subjects_use_the_org_default(
    api: TestClient, org: Org, container: Container, smtp_port: int
) -> None:
    to = f"{org.boot.email_key}@alert.example"
    send(smtp_port, to, "nightly backup report", "all good")
    assert api.get("/api-public/v1/incidents").json() == {"incidents": []}

    with container.sessions.transaction() as session:
        org_row = session.get(Organization, org.org_id)
        assert org_row is not None
        org_row.email_default_message_type = "CRITICAL"
    send(smtp_port, to, "server room too hot", "31 C")
    incidents = api.get("/api-public/v1/incidents").json()["incidents"]
    assert [(i["entityId"], i["routingKey"], i["currentPhase"]) for i in incidents] == [
        ("server room too hot", "default", "UNACKED")
    ]
    with container.sessions.transaction(write=False) as session:
        kinds = session.scalars(select(Alert.message_type).order_by(Alert.id)).all()
    assert kinds == ["INFO", "CRITICAL"]


def test_unknown_email_key_is_refused(container: Container, smtp_port: int) -> None:
    with pytest.raises(smtplib.SMTPDataError) as info:
        send(smtp_port, "nosuchkey+db@alert.example", "CRITICAL: x", "y")
    assert info.value.smtp_code == 550
    with container.sessions.transaction(write=False) as session:
        assert session.execute(select(Alert.id)).all() == []


def test_listener_runs_with_the_app_lifespan(container: Container, org: Org) -> None:
    """What `serve --smtp-port` wires: the listener starts and stops with the app."""
    listener = install_email_listener(container, host="127.0.0.1", port=0)
    with TestClient(create_app(container)) as client:
        send(listener.port, f"{org.boot.email_key}@alert.example", "CRITICAL: fan", "loud")
        incidents = client.get("/api-public/v1/incidents", headers=org.headers).json()
        assert [(i["entityId"], i["monitorType"]) for i in incidents["incidents"]] == [
            ("fan", "Email")
        ]
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", listener.port, timeout=2)
