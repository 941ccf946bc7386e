"""Acknowledge from the notification: signed links (GET confirms, POST acts) and SMS replies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import SecretStr
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.container import Container
from openoncall.engine.worker import Engine
from openoncall.links.models import ProviderRequest
from openoncall.notify.channel import Medium
from openoncall.settings import Settings
from openoncall.users.models import User
from tests.conftest import Org
from tests.engine.channels import Outbox
from tests.engine.conftest import (
    add_policy,
    add_routing_key,
    add_team,
    add_user,
    post_alert,
    timeline,
    user_entry,
)

SMS_TOKEN = "twilio-auth-token"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        rate_limit_scale=0,
        usage_flush_seconds=0.05,
        base_url="https://oncall.example.com",
        sms_auth_token=SecretStr(SMS_TOKEN),
    )


def _paged(api: TestClient, org: Org, worker: Engine, outbox: Outbox) -> dict[str, str]:
    add_user(api, "alice")
    team = add_team(api)
    policy = add_policy(api, team, [{"timeout": 0, "entries": [user_entry("alice")]}])
    add_routing_key(api, "db", [policy])
    post_alert(api, org, "db")
    worker.run_once()
    (mail,) = outbox.sent
    return {"ack": mail.data["ack_url"], "resolve": mail.data["resolve_url"], "body": mail.body}


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://oncall.example.com"
    return parts.path


def _phase(api: TestClient) -> str:
    r = api.get("/api-public/v1/incidents/1")
    assert r.status_code == 200, r.text
    phase: str = r.json()["currentPhase"]
    return phase


def test_ack_link_confirms_on_get_and_acts_on_post(
    api: TestClient, org: Org, container: Container, worker: Engine, outbox: Outbox
) -> None:
    links = _paged(api, org, worker, outbox)
    assert f"Acknowledge: {links['ack']}" in links["body"]
    path = _path(links["ack"])

    page = api.get(path)
    assert page.status_code == 200
    assert "<h1>Acknowledge incident #1?</h1>" in page.text
    assert f"<form method='post' action='{path}'>" in page.text
    assert _phase(api) == "UNACKED"

    done = api.post(path)
    assert done.status_code == 200
    assert "<h1>Incident #1 is ACKED</h1>" in done.text
    assert _phase(api) == "ACKED"
    assert timeline(container, org, 1)[-1] == "transition: Acknowledged from a notification link"

    again = api.post(path)
    assert again.status_code == 409
    assert "<h1>Incident #1 is ACKED</h1>" in again.text


def test_resolve_link_resolves(
    api: TestClient, org: Org, container: Container, worker: Engine, outbox: Outbox
) -> None:
    links = _paged(api, org, worker, outbox)
    r = api.post(_path(links["resolve"]))
    assert r.status_code == 200
    assert _phase(api) == "RESOLVED"


def test_tampered_link_is_404_and_changes_nothing(
    api: TestClient, org: Org, worker: Engine, outbox: Outbox
) -> None:
    links = _paged(api, org, worker, outbox)
    path = _path(links["ack"])
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert api.get(forged).status_code == 404
    assert api.post(forged).status_code == 404
    assert api.post("/links/not-a-token").status_code == 404
    assert _phase(api) == "UNACKED"


def test_expired_link_is_410_and_changes_nothing(
    api: TestClient, org: Org, clock: FrozenClock, worker: Engine, outbox: Outbox
) -> None:
    links = _paged(api, org, worker, outbox)
    clock.advance(hours=24, seconds=2)
    r = api.post(_path(links["ack"]))
    assert r.status_code == 410
    assert "<h1>Link expired</h1>" in r.text
    assert _phase(api) == "UNACKED"


def _twilio_signature(url: str, params: dict[str, str]) -> str:
    # Twilio's documented scheme, written out independently of the server's code.
    data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    mac = hmac.new(SMS_TOKEN.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


INBOUND = "/api-ext/v1/sms/inbound"
INBOUND_URL = "https://oncall.example.com/api-ext/v1/sms/inbound"


def _signed(client: TestClient, form: dict[str, str]) -> Response:
    return client.post(
        INBOUND, data=form, headers={"X-Twilio-Signature": _twilio_signature(INBOUND_URL, form)}
    )


def _add_phone(container: Container, org: Org) -> None:
    with container.sessions.transaction() as session:
        user = session.query(User).filter_by(org_id=org.org_id, username="alice").one()
        session.add(
            ContactMethod(
                org_id=org.org_id,
                user_id=user.id,
                kind=ContactKind.PHONE,
                ext_id="ph-alice",
                label="Mobile",
                value="+1 555-000-1111",
                rank=1,
                created_at=container.clock.now(),
            )
        )


@pytest.fixture
def paged(api: TestClient, org: Org, worker: Engine, outbox: Outbox) -> dict[str, str]:
    """Incident 1 paged alice (by email)."""
    return _paged(api, org, worker, outbox)


@pytest.fixture
def replying(paged: dict[str, str], container: Container, org: Org) -> None:
    """Incident 1 paged alice, whose phone can reply."""
    _add_phone(container, org)


def test_sms_reply_acknowledges_as_the_user_with_that_phone(
    api: TestClient,
    client: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    _paged(api, org, worker, outbox)
    _add_phone(container, org)
    form = {"From": "+15550001111", "Body": "ack 1", "To": "+15559990000", "MessageSid": "SM1"}
    r = _signed(client, form)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/xml"
    assert r.text == (
        '<?xml version="1.0" encoding="UTF-8"?>'
        "<Response><Message>Incident #1 is now ACKED.</Message></Response>"
    )
    assert _phase(api) == "ACKED"
    assert timeline(container, org, 1)[-1] == "transition: Acknowledged by SMS reply"
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]


def test_sms_reply_with_a_bad_signature_is_403(
    api: TestClient,
    client: TestClient,
    org: Org,
    *,
    container: Container,
    replying: None,
) -> None:
    r = client.post(
        INBOUND,
        data={"From": "+15550001111", "Body": "resolve 1", "MessageSid": "SM2"},
        headers={"X-Twilio-Signature": "bm9wZQ=="},
    )
    assert r.status_code == 403
    assert _phase(api) == "UNACKED"


def test_sms_reply_from_an_unknown_number_changes_nothing(
    api: TestClient, client: TestClient, paged: dict[str, str]
) -> None:
    form = {"From": "+15550002222", "Body": "resolve 1", "MessageSid": "SM3"}
    r = _signed(client, form)
    assert r.status_code == 200
    assert "<Message>No incident #1 for this number.</Message>" in r.text
    assert _phase(api) == "UNACKED"


def test_sms_reply_with_an_impossible_number_answers_no_such_incident(
    api: TestClient, client: TestClient, paged: dict[str, str]
) -> None:
    form = {"From": "+15550001111", "Body": "ack 99999999999999999999", "MessageSid": "SM4"}
    r = _signed(client, form)
    assert r.status_code == 200
    assert "<Message>No incident #99999999999999999999 for this number.</Message>" in r.text
    assert _phase(api) == "UNACKED"


def _sid_rows(container: Container) -> list[str]:
    with container.sessions.transaction() as session:
        return list(session.scalars(select(ProviderRequest.sid).order_by(ProviderRequest.sid)))


def test_a_replayed_sms_reply_is_refused_and_changes_nothing(
    api: TestClient,
    client: TestClient,
    org: Org,
    *,
    container: Container,
    replying: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    form = {"From": "+15550001111", "Body": "ack 1", "MessageSid": "SM" + "a" * 32}
    assert _signed(client, form).status_code == 200
    assert _phase(api) == "ACKED"
    with caplog.at_level(logging.WARNING, logger="openoncall.links.router"):
        again = _signed(client, form)
    assert again.status_code == 403
    assert again.json() == {"error": "Forbidden", "message": "Forbidden"}
    assert "MessageSid already acted on (a replayed request)" in caplog.text
    assert SMS_TOKEN not in caplog.text
    transitions = [e for e in timeline(container, org, 1) if e.endswith("by SMS reply")]
    assert transitions == ["transition: Acknowledged by SMS reply"]
    assert _sid_rows(container) == ["SM" + "a" * 32]


def test_a_signed_reply_replayed_after_the_window_cannot_change_its_incident(
    api: TestClient,
    client: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    _paged(api, org, worker, outbox)
    # Sent before the phone was registered: it acted on nothing, so a captured copy would
    # act once the phone is known, if replays were accepted.
    form = {"From": "+15550001111", "Body": "ack 1", "MessageSid": "SMold"}
    assert "No incident #1 for this number." in _signed(client, form).text
    _add_phone(container, org)
    assert _signed(client, form).status_code == 403
    clock.advance(days=30, seconds=1)
    late = _signed(client, form)
    assert late.status_code == 200
    assert "Incident #1 is too old to change by SMS: use the web UI." in late.text
    assert _phase(api) == "UNACKED"
    # The request ids older than the window were pruned; the late one is remembered.
    assert _sid_rows(container) == ["SMold"]


def test_concurrent_copies_of_one_signed_reply_act_once(
    api: TestClient,
    app: FastAPI,
    org: Org,
    *,
    container: Container,
    replying: None,
) -> None:
    form = {"From": "+15550001111", "Body": "resolve 1", "MessageSid": "SMrace"}
    barrier = threading.Barrier(4)

    def post(_: int) -> int:
        with TestClient(app) as c:
            barrier.wait()
            return _signed(c, form).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(post, range(4)))
    assert statuses == [200, 403, 403, 403]
    assert _phase(api) == "RESOLVED"
    transitions = [e for e in timeline(container, org, 1) if e.endswith("by SMS reply")]
    assert transitions == ["transition: Resolved by SMS reply"]


def test_sms_reply_without_a_signature_or_message_sid_is_refused(
    api: TestClient,
    client: TestClient,
    org: Org,
    *,
    container: Container,
    replying: None,
) -> None:
    unsigned = client.post(
        INBOUND, data={"From": "+15550001111", "Body": "ack 1", "MessageSid": "SMx"}
    )
    assert unsigned.status_code == 403
    no_sid = _signed(client, {"From": "+15550001111", "Body": "ack 1"})
    assert no_sid.status_code == 400
    assert no_sid.json() == {
        "error": "Missing field: MessageSid",
        "message": "Missing field: MessageSid",
        "field": "MessageSid",
    }
    assert _phase(api) == "UNACKED"
