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

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.engine.runner import build_engine
from openoncall.notify.registry import build_channels
from openoncall.settings import Settings
from tests.conftest import Org
from tests.engine.servers import HttpStub, SmtpSink, http, paging_settings, smtp
from tests.scenarios.agreement import Agreement
from tests.scenarios.story import Story
from tests.web.conftest import sign_in

__all__ = ["http", "smtp"]  # the servers' fixtures


@pytest.fixture
def settings(db_url: str, smtp: SmtpSink, http: HttpStub) -> Settings:
    return paging_settings(db_url, smtp, http)


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
            check=Agreement(),
        )
    engine.stop()
