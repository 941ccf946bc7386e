"""Deliveries: every attempt on the record, retries with backoff, fallback, throttles,
stakeholder messages, webhooks and email entries of a policy."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.container import Container
from openoncall.engine.runner import build_engine
from openoncall.engine.worker import Engine
from openoncall.incidents.models import IncidentEvent
from openoncall.notify.channel import Medium
from openoncall.notify.registry import build_channels
from openoncall.settings import Settings
from openoncall.users.models import User
from openoncall.webhooks.service import create_webhook
from tests.conftest import Org
from tests.engine.channels import Outbox
from tests.engine.conftest import (
    add_policy,
    add_routing_key,
    add_team,
    add_user,
    deliveries,
    post_alert,
    timeline,
    user_entry,
)


def _add_phone(container: Container, org: Org, username: str, number: str) -> None:
    with container.sessions.transaction() as session:
        user = session.query(User).filter_by(org_id=org.org_id, username=username).one()
        session.add(
            ContactMethod(
                org_id=org.org_id,
                user_id=user.id,
                kind=ContactKind.PHONE,
                ext_id=f"ph-{username}",
                label="Mobile",
                value=number,
                rank=1,
                created_at=container.clock.now(),
            )
        )


def _one_step(api: TestClient, entries: list[dict[str, object]]) -> None:
    team = add_team(api)
    policy = add_policy(api, team, [{"timeout": 0, "entries": entries}])
    add_routing_key(api, "db", [policy])


def test_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "alice")
    _one_step(api, [user_entry("alice")])
    outbox.failures[Medium.EMAIL] = 2
    post_alert(api, org, "db")
    worker.run_once()
    assert outbox.sent == []
    assert deliveries(container, org) == [("email", "alice@example.com", "queued", 1)]
    clock.advance(seconds=2)
    worker.run_once()
    assert deliveries(container, org) == [("email", "alice@example.com", "queued", 2)]
    clock.advance(seconds=4)
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]
    assert deliveries(container, org) == [("email", "alice@example.com", "sent", 3)]
    assert outbox.attempts == [
        (Medium.EMAIL, "alice@example.com", False),
        (Medium.EMAIL, "alice@example.com", False),
        (Medium.EMAIL, "alice@example.com", True),
    ]


def test_a_page_falls_back_to_the_next_contact_method_when_retries_run_out(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "alice")
    _add_phone(container, org, "alice", "+15550001111")
    _one_step(api, [user_entry("alice")])
    outbox.failures[Medium.EMAIL] = 3
    post_alert(api, org, "db")
    worker.run_once()
    clock.advance(seconds=2)
    worker.run_once()
    clock.advance(seconds=4)
    worker.run_once()
    assert outbox.to(Medium.SMS) == ["+15550001111"]
    assert deliveries(container, org) == [
        ("email", "alice@example.com", "failed", 3),
        ("sms", "+15550001111", "sent", 1),
    ]
    lines = timeline(container, org, 1)
    assert lines[-2:] == [
        "delivery: Email to alice@example.com failed: provider unavailable",
        "delivery: SMS sent to +15550001111",
    ]


def test_a_phone_is_not_texted_faster_than_its_throttle(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "alice")
    _add_phone(container, org, "alice", "+15550001111")
    team = add_team(api)
    policy = add_policy(
        api,
        team,
        [{"timeout": 0, "entries": [user_entry("alice")]}],
    )
    add_routing_key(api, "db", [policy])
    # alice's paging policy texts her at once.
    phones = api.get("/api-public/v1/user/alice/contact-methods/phones").json()
    sms = {"type": "sms", "contact": {"id": phones["contactMethods"][0]["id"], "type": "phone"}}
    r = api.put("/api-public/v1/profile/alice/policies/0", json={"timeout": 5, "rules": [sms]})
    assert r.status_code == 200, r.text
    post_alert(api, org, "db", entity_id="one")
    post_alert(api, org, "db", entity_id="two")
    worker.run_once()
    assert outbox.to(Medium.SMS) == ["+15550001111"]
    clock.advance(seconds=10)
    worker.run_once()
    assert outbox.to(Medium.SMS) == ["+15550001111", "+15550001111"]


def test_email_and_webhook_entries_deliver_with_the_incident_fields(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    with container.sessions.transaction() as session:
        hook = create_webhook(
            session,
            org.org_id,
            label="Ops bot",
            url="http://127.0.0.1:9/hook",
            now=container.clock.now(),
        )
    _one_step(
        api,
        [
            {"executionType": "email", "email": {"address": "noc@example.com"}},
            {"executionType": "webhook", "webhook": {"slug": hook.webhook.slug}},
        ],
    )
    post_alert(api, org, "db", alert_id="A-1")
    worker.run_once()
    assert sorted((n.medium, n.to) for n in outbox.sent) == [
        (Medium.EMAIL, "noc@example.com"),
        (Medium.WEBHOOK, "http://127.0.0.1:9/hook"),
    ]
    webhook = next(n for n in outbox.sent if n.medium == Medium.WEBHOOK)
    body = json.loads(webhook.body)
    assert body == {
        "alert_id": "A-1",
        "currentPhase": "UNACKED",
        "entityDisplayName": "disk-full",
        "entityId": "disk-full",
        "incidentNumber": "1",
        "reason": "Step 1 of policy Ops: webhook entry",
        "routingKey": "db",
        "startTime": "2026-01-05T12:00:00Z",
        "stateMessage": "Disk full",
    }
    secret = webhook.data["signing_secret"]
    assert secret == hook.secret


def test_stakeholder_message_is_emailed_to_each_recipient(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "alice")
    add_user(api, "carol")
    _one_step(api, [user_entry("alice")])
    post_alert(api, org, "db")
    worker.run_once()
    r = api.post(
        "/api-public/v1/stakeholders/sendMessage",
        json={
            "title": "DB outage",
            "message": "We are on it.",
            "incidentId": 1,
            "recipients": ["carol"],
        },
    )
    assert r.status_code == 200, r.text
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com", "carol@example.com"]
    message = outbox.sent[-1]
    assert message.subject == "[OpenOnCall] DB outage"
    assert message.body == "We are on it.\n\nAbout incident #1\nFrom admin"
    assert timeline(container, org, 1)[-1] == "delivery: Email sent to carol@example.com"


def test_with_nothing_configured_a_page_is_recorded_on_the_timeline_and_in_the_log(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add_user(api, "alice")
    _one_step(api, [user_entry("alice")])
    nothing = Settings(smtp_url=None, sms_account_sid=None, sms_auth_token=None, push_url=None)
    worker = build_engine(container, channels=build_channels(nothing))
    try:
        post_alert(api, org, "db")
        with caplog.at_level(logging.WARNING, logger="openoncall.notify.console"):
            worker.run_once()
    finally:
        worker.stop()
    assert "alice@example.com" in caplog.text
    with container.sessions.transaction(write=False) as session:
        event = session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.kind == "delivery")
            .order_by(IncidentEvent.id.desc())
        ).first()
        assert event is not None
        assert (event.message, event.data["detail"]) == (
            "Email sent to alice@example.com",
            "recorded in the log (no email provider configured)",
        )
