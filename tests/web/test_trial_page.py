"""The profile's "Send me a test page": a message on each of the viewer's contact methods,
received by a real SMTP server, with the outcome shown after the redirect."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from openoncall.container import Container
from openoncall.settings import Settings
from tests.conftest import Org
from tests.engine.servers import SmtpSink, smtp_server
from tests.web.conftest import add_user, csrf_of, sign_in


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
def settings(db_url: str, smtp: SmtpSink) -> Settings:
    return Settings(
        database_url=db_url,
        rate_limit_scale=0,
        usage_flush_seconds=0.05,
        smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp.port}"),
    )


def test_send_me_a_test_page(
    client: TestClient, org: Org, container: Container, smtp: SmtpSink
) -> None:
    add_user(container, org, "bob")
    csrf = sign_in(client, "bob")
    added = client.post(
        "/people/bob/contacts",
        data={"kind": "email", "label": "Home", "value": "bob@home.example", "csrf_token": csrf},
    )
    assert added.status_code == 200, added.text
    profile = client.get("/people/bob")
    assert "Send me a test page" in profile.text
    assert 'action="/people/bob/test-page"' in profile.text

    # No CSRF token: refused, nothing sent.
    assert client.post("/people/bob/test-page").status_code == 403
    sent = client.post("/people/bob/test-page", data={"csrf_token": csrf_of(profile.text)})
    assert sent.status_code == 200
    assert "Test page: email bob@acme.example: sent; email bob@home.example: sent." in sent.text
    assert smtp.wait_for(2)
    assert sorted(to for mail in smtp.items for to in mail.to) == [
        "bob@acme.example",
        "bob@home.example",
    ]
    assert {mail.subject for mail in smtp.items} == {"OpenOnCall test page"}

    # Someone else's profile has no button, and posting there is refused.
    admin_profile = client.get(f"/people/{org.boot.admin_username}")
    assert "Send me a test page" not in admin_profile.text
    other = client.post(f"/people/{org.boot.admin_username}/test-page", data={"csrf_token": csrf})
    assert other.status_code == 403
    assert len(smtp.items) == 2
