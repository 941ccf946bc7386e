"""The paging scenario of issue 5 "Done when", with real servers and the injected clock.

A two-step escalation through a rotation: step 1 pages the on-call user by email (received by
a real SMTP server) and SMS (received by a Twilio-compatible stub); step 2 pages the next person
in the rotation after the timeout; an ack through the signed link in the email stops
everything; the timeline holds all of it, in order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.engine.runner import build_engine
from openoncall.engine.worker import Engine
from openoncall.notify.registry import build_channels
from openoncall.rotations.models import RotationGroup
from openoncall.settings import Settings
from openoncall.teams.models import Team
from openoncall.users.models import User
from openoncall.webhooks.service import create_webhook
from tests.builders import make_rotation
from tests.conftest import Org
from tests.engine.conftest import add_policy, add_routing_key, add_team, add_user, post_alert
from tests.engine.conftest import timeline as timeline_of
from tests.engine.servers import (
    SMS_SID,
    HttpStub,
    SmtpSink,
    http,
    http_stub,
    paging_settings,
    smtp,
)

__all__ = ["http", "smtp"]  # the servers' fixtures


@pytest.fixture
def settings(db_url: str, smtp: SmtpSink, http: HttpStub) -> Settings:
    return paging_settings(db_url, smtp, http)


@pytest.fixture
def real_worker(container: Container, settings: Settings) -> Iterator[Engine]:
    engine = build_engine(container, channels=build_channels(settings))
    yield engine
    engine.stop()


def _ground(api: TestClient, container: Container, org: Org) -> None:
    add_user(api, "alice")
    add_user(api, "bob")
    r = api.post(
        "/api-public/v1/user/alice/contact-methods/phones",
        json={"label": "Mobile", "phone": "+15550001111"},
    )
    assert r.status_code == 200, r.text
    phone_id = r.json()["id"]
    # alice's own policy: her first step also texts her phone.
    r = api.post(
        "/api-public/v1/profile/alice/policies/0",
        json={"type": "sms", "contact": {"id": phone_id, "type": "phone"}},
    )
    assert r.status_code == 200, r.text
    team_slug = add_team(api, "Database")
    with container.sessions.transaction() as session:
        team = session.scalars(select(Team).where(Team.slug == team_slug)).one()
        users = {
            u.username: u for u in session.scalars(select(User).where(User.org_id == org.org_id))
        }
        # A weekly 24/7 rotation starting now: alice this week, bob next.
        shift = make_rotation(
            session,
            team,
            [users["alice"], users["bob"]],
            label="Primary",
            start_at=container.clock.now(),
        )
        group_slug = session.scalars(
            select(RotationGroup.slug).where(RotationGroup.id == shift.group_id)
        ).one()
    policy = add_policy(
        api,
        team_slug,
        [
            {
                "timeout": 0,
                "entries": [
                    {"executionType": "rotation_group", "rotationGroup": {"slug": group_slug}}
                ],
            },
            {
                "timeout": 5,
                "entries": [
                    {"executionType": "rotation_group_next", "rotationGroup": {"slug": group_slug}}
                ],
            },
        ],
        name="Database",
    )
    add_routing_key(api, "db", [policy])


def _forms(http: HttpStub) -> list[dict[str, str]]:
    return [r.form() for r in http.requests()]


def test_two_step_escalation_through_a_rotation_until_acked_by_the_email_link(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    real_worker: Engine,
    smtp: SmtpSink,
    http: HttpStub,
) -> None:
    _ground(api, container, org)
    # Users made through the API with SMTP configured are invited first; that is not a page.
    real_worker.run_once()
    assert smtp.wait_for(2)
    assert sorted((m.to[0], m.subject) for m in smtp.items) == [
        ("alice@example.com", "Set your OpenOnCall password"),
        ("bob@example.com", "Set your OpenOnCall password"),
    ]
    smtp.clear()
    post_alert(
        api, org, "db", entity_id="db-primary", state_message="Replication lag", alert_id="A-9"
    )

    real_worker.run_once()
    assert smtp.wait_for(1)
    assert http.inbox.wait_for(1)
    (mail,) = smtp.items
    assert mail.to == ["alice@example.com"]
    assert "#1" in mail.subject
    assert "alert_id: A-9" in mail.text
    (text,) = _forms(http)
    assert (text["To"], text["From"]) == ("+15550001111", "+15550009999")
    assert "ack 1" in text["Body"]
    assert http.requests()[0].path == f"/twilio/2010-04-01/Accounts/{SMS_SID}/Messages.json"

    clock.advance(minutes=4)
    real_worker.run_once()
    assert len(smtp.items) == 1

    clock.advance(minutes=1)
    real_worker.run_once()
    assert smtp.wait_for(2)
    assert smtp.items[1].to == ["bob@example.com"]
    assert "Step 2 of policy Database" in smtp.items[1].text
    # alice's personal step 2 (the default's "text the first phone after 5 minutes").
    assert [f["To"] for f in _forms(http)] == ["+15550001111", "+15550001111"]

    ack_url = re.search(r"Acknowledge: (\S+)", mail.text)
    assert ack_url is not None
    r = api.post(urlsplit(ack_url.group(1)).path)
    assert r.status_code == 200
    assert "Incident #1 is ACKED" in r.text

    clock.advance(hours=3)
    real_worker.run_once()
    assert len(smtp.items) == 2
    assert len(http.requests()) == 2

    lines = timeline_of(container, org, 1)
    head = [
        "alert: Replication lag",
        "transition: db-primary",
        "page: Paging alice: Step 1 of policy Database: on call in rotation Primary",
    ]
    assert lines[:3] == head
    # Email and SMS leave together; either may be recorded first.
    assert sorted(lines[3:5]) == [
        "delivery: Email sent to alice@example.com",
        "delivery: SMS sent to +15550001111",
    ]
    assert sorted(lines[5:8]) == sorted(
        [
            "page: Paging bob: Step 2 of policy Database (unacknowledged after 5 min): "
            "next in rotation Primary",
            "delivery: Email sent to bob@example.com",
            "delivery: SMS sent to +15550001111",
        ]
    )
    assert lines[5:8].index(
        "page: Paging bob: Step 2 of policy Database (unacknowledged after 5 min): "
        "next in rotation Primary"
    ) < lines[5:8].index("delivery: Email sent to bob@example.com")
    assert lines[8:] == ["transition: Acknowledged from a notification link"]


@pytest.fixture
def hooks() -> Iterator[HttpStub]:
    with http_stub() as stub:
        yield stub


def test_a_webhook_that_fails_then_recovers_is_retried_to_success_and_signed(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    real_worker: Engine,
    hooks: HttpStub,
) -> None:
    with container.sessions.transaction() as session:
        hook = create_webhook(
            session, org.org_id, label="bot", url=f"{hooks.url}/in", now=container.clock.now()
        )
        slug, secret = hook.webhook.slug, hook.secret
    team = add_team(api)
    policy = add_policy(
        api,
        team,
        [{"timeout": 0, "entries": [{"executionType": "webhook", "webhook": {"slug": slug}}]}],
    )
    add_routing_key(api, "db", [policy])
    hooks.failures.extend([503, 503])
    post_alert(api, org, "db")

    real_worker.run_once()
    clock.advance(seconds=2)
    real_worker.run_once()
    assert hooks.requests() == []
    clock.advance(seconds=4)
    real_worker.run_once()
    assert hooks.inbox.wait_for(1)
    (received,) = hooks.requests()
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["x-openoncall-signature"] == expected
    assert json.loads(received.body)["incidentNumber"] == "1"
    assert timeline_of(container, org, 1)[-1] == "delivery: Webhook sent to " + f"{hooks.url}/in"
