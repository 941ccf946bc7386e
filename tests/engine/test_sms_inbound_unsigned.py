"""With no OPENONCALL_SMS_AUTH_TOKEN, inbound SMS webhooks cannot be verified: all refused."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.engine.test_links import INBOUND, _phase, paged, replying

__all__ = ["paged", "replying"]  # fixtures shared with the signed-reply tests


def test_a_forged_sms_reply_is_refused_when_no_auth_token_is_set(
    api: TestClient,
    client: TestClient,
    container: Container,
    replying: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert container.settings.sms_auth_token is None
    for body in ("ACK 1", "resolve 1"):
        with caplog.at_level(logging.WARNING, logger="openoncall.links.router"):
            r = client.post(
                INBOUND,
                data={"From": "+15550001111", "Body": body, "MessageSid": f"SM{body}"},
            )
        assert r.status_code == 403
        assert _phase(api) == "UNACKED"
    assert "OPENONCALL_SMS_AUTH_TOKEN is not set" in caplog.text
