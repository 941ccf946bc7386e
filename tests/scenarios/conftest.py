"""The scenario fixture: a Story over the real app, a real engine and real servers.

Email goes to aiosmtpd; SMS and voice (Twilio's API shape), pushes (ntfy's) and outgoing
webhooks go to one local HTTP server, told apart by path. The clock is the container's
FrozenClock; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.engine.runner import build_engine
from openoncall.notify.registry import build_channels
from openoncall.settings import Settings
from tests.conftest import Org
from tests.engine.servers import HttpStub, SmtpSink, http_stub, smtp_server
from tests.scenarios.agreement import check_agreement
from tests.scenarios.story import Story
from tests.web.conftest import sign_in


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
def http() -> Iterator[HttpStub]:
    with http_stub() as stub:
        yield stub


@pytest.fixture
def settings(db_url: str, smtp: SmtpSink, http: HttpStub) -> Settings:
    return Settings(
        database_url=db_url,
        rate_limit_scale=0,
        usage_flush_seconds=0.05,
        base_url="https://oncall.example.com",
        smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp.port}"),
        smtp_from="pager@oncall.example.com",
        sms_url=f"{http.url}/twilio",
        sms_account_sid="AC0123456789",
        sms_auth_token=SecretStr("token"),
        sms_from="+15550009999",
        push_url=f"{http.url}/push",
        webhook_allowlist="127.0.0.0/8",  # the webhook receiver listens on loopback
    )


@pytest.fixture
def story(
    app: FastAPI,
    api: TestClient,
    *,
    org: Org,
    container: Container,
    clock: FrozenClock,
    settings: Settings,
    smtp: SmtpSink,
    http: HttpStub,
) -> Iterator[Story]:
    engine = build_engine(container, channels=build_channels(settings))
    # The web client speaks to the base URL, so its secure session cookie travels.
    with TestClient(app, base_url=settings.base_url, raise_server_exceptions=False) as web:
        csrf = sign_in(web, org.boot.admin_username)
        yield Story(
            api=api,
            web=web,
            org=org,
            container=container,
            clock=clock,
            engine=engine,
            smtp=smtp,
            http=http,
            csrf=csrf,
            check=check_agreement,
        )
    engine.stop()
