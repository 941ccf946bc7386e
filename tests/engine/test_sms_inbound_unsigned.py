"""With no OPENONCALL_SMS_AUTH_TOKEN, inbound SMS webhooks cannot be verified: all refused."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from openoncall.engine.worker import Engine
from tests.conftest import Org
from tests.engine.channels import Outbox
from tests.engine.test_links import _add_phone, _paged, _phase


def test_a_forged_sms_reply_is_refused_when_no_auth_token_is_set(
    api: TestClient,
    client: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert container.settings.sms_auth_token is None
    _paged(api, org, worker, outbox)
    _add_phone(container, org)
    for body in ("ACK 1", "resolve 1"):
        with caplog.at_level(logging.WARNING, logger="openoncall.links.router"):
            r = client.post(
                "/api-ext/v1/sms/inbound",
                data={"From": "+15550001111", "Body": body, "MessageSid": f"SM{body}"},
            )
        assert r.status_code == 403
        assert _phase(api) == "UNACKED"
    assert "OPENONCALL_SMS_AUTH_TOKEN is not set" in caplog.text
