"""Invitations: a user made through the API, a batch or the web UI gets a set-password email
(aiosmtpd receives it) whose link sets the password; the token is minted when the engine
sends, honours expirationHours and is stored only hashed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.deliveries.models import Delivery
from openoncall.engine.runner import build_engine
from openoncall.engine.worker import Engine
from openoncall.invitations.models import UserInvitation
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job
from openoncall.notify.registry import build_channels
from openoncall.settings import Settings
from openoncall.users.models import User
from tests.conftest import Org
from tests.engine.servers import SmtpSink, smtp_server
from tests.web.conftest import csrf_of, sign_in

BASE = "http://testserver"  # the TestClient's origin, which the CSRF check compares
_LINK = re.compile(re.escape(BASE) + r"(/set-password/[A-Za-z0-9_\-]+)")


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
        base_url=BASE,
        smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp.port}"),
    )


@pytest.fixture
def mailer(container: Container, settings: Settings) -> Iterator[Engine]:
    engine = build_engine(container, channels=build_channels(settings))
    yield engine
    engine.stop()


def _new_user(username: str, **extra: object) -> dict[str, object]:
    return {
        "firstName": username.title(),
        "lastName": "Tester",
        "username": username,
        "email": f"{username}@example.com",
        **extra,
    }


def _link_in(smtp: SmtpSink, index: int) -> str:
    assert smtp.wait_for(index + 1)
    mail = smtp.items[index]
    match = _LINK.search(mail.text)
    assert match is not None, mail.text
    return match.group(1)


def _set_password(client: TestClient, link: str, password: str) -> int:
    newcomer = TestClient(client.app, base_url=BASE)
    page = newcomer.get(link)
    if page.status_code != 200:
        return page.status_code
    done = newcomer.post(
        link,
        data={"password": password, "confirm": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    return done.status_code


def test_user_added_through_the_api_gets_an_email_whose_link_sets_the_password(
    api: TestClient, container: Container, mailer: Engine, smtp: SmtpSink
) -> None:
    assert api.post("/api-public/v1/user", json=_new_user("carol")).status_code == 200
    with container.sessions.transaction() as session:
        # Nothing is minted before the engine sends: the request wrote only the job.
        assert session.scalars(select(UserInvitation)).all() == []
        job = session.scalar(select(Job).where(Job.kind == JobKind.INVITATION_EMAIL))
        assert job is not None
        assert "token" not in str(job.payload)
    mailer.run_once()
    link = _link_in(smtp, 0)
    mail = smtp.items[0]
    assert mail.to == ["carol@example.com"]
    assert mail.subject == "Set your OpenOnCall password"
    token = link.rsplit("/", 1)[1]
    with container.sessions.transaction() as session:
        rows = session.scalars(select(UserInvitation)).all()
        assert len(rows) == 1
        assert rows[0].token_hash != token
        assert token not in rows[0].token_hash
        # No delivery row holds the mail (its body would hold the raw token).
        assert session.scalars(select(Delivery)).all() == []
    assert _set_password(api, link, "carol's long password") == 303
    sign_in(TestClient(api.app), "carol", "carol's long password")
    # The link works once.
    assert _set_password(api, link, "another long password") == 404


def test_expiration_hours_from_the_create_body_bound_the_link(
    api: TestClient, container: Container, clock: FrozenClock, mailer: Engine, smtp: SmtpSink
) -> None:
    body = _new_user("dave", expirationHours=2)
    assert api.post("/api-public/v1/user", json=body).status_code == 200
    mailer.run_once()
    link = _link_in(smtp, 0)
    with container.sessions.transaction() as session:
        row = session.scalars(select(UserInvitation)).one()
        assert row.expires_at - row.created_at == timedelta(hours=2)
    clock.advance(timedelta(hours=2, seconds=1))
    assert _set_password(api, link, "dave's long password") == 404


def test_out_of_range_expiration_hours_is_refused_naming_the_field(
    api: TestClient, container: Container
) -> None:
    r = api.post("/api-public/v1/user", json=_new_user("erin", expirationHours=10_000))
    assert r.status_code == 400, r.text
    assert "expirationHours" in r.text
    with container.sessions.transaction() as session:
        assert session.scalar(select(User).where(User.username == "erin")) is None


def test_each_user_of_a_batch_import_gets_an_email(
    api: TestClient, mailer: Engine, smtp: SmtpSink
) -> None:
    r = api.post(
        "/api-public/v1/user/batch",
        json=[_new_user("fay"), _new_user("gus"), {"username": "broken"}],
    )
    assert r.status_code == 200, r.text
    mailer.run_once()
    assert smtp.wait_for(2)
    assert sorted(m.to[0] for m in smtp.items) == ["fay@example.com", "gus@example.com"]


def test_user_added_in_the_web_ui_is_emailed_instead_of_shown_a_link(
    client: TestClient, org: Org, mailer: Engine, smtp: SmtpSink
) -> None:
    csrf = sign_in(client, org.boot.admin_username)
    created = client.post(
        "/people",
        data={
            "username": "hana",
            "first_name": "Hana",
            "last_name": "Tester",
            "email": "hana@example.com",
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 200, created.text
    assert "set-password email is on its way to hana@example.com" in created.text
    assert "/set-password/" not in created.text
    mailer.run_once()
    link = _link_in(smtp, 0)
    assert _set_password(client, link, "hana's long password") == 303


def test_without_smtp_the_api_queues_no_invitation(
    client: TestClient, org: Org, container: Container
) -> None:
    container.settings = container.settings.model_copy(update={"smtp_url": None})
    client.headers.update(org.headers)
    assert client.post("/api-public/v1/user", json=_new_user("ivan")).status_code == 200
    with container.sessions.transaction() as session:
        assert session.scalar(select(Job).where(Job.kind == JobKind.INVITATION_EMAIL)) is None
