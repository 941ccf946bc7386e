"""Sign-in, sessions, CSRF, logout, password change and set-password links, over HTTP."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from openoncall.app import create_app
from openoncall.clock import FrozenClock
from openoncall.container import Container, build_container
from openoncall.ids import hash_secret
from openoncall.invitations.service import mint_invitation
from openoncall.settings import Settings
from openoncall.users.models import User
from openoncall.web.models import WebSession
from openoncall.web.signin import unsign
from tests.conftest import Org
from tests.web.conftest import PASSWORD, add_user, csrf_of, sign_in


def test_pages_need_sign_in(client: TestClient, org: Org) -> None:
    response = client.get("/integrations/api", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fintegrations%2Fapi"
    htmx = client.get("/integrations/api", headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"].startswith("/login?next=")


def test_sign_in_and_out(client: TestClient, org: Org, container: Container) -> None:
    csrf = sign_in(client, "ADMIN ")  # usernames are case- and space-insensitive
    page = client.get("/integrations/api")
    assert page.status_code == 200
    assert org.boot.api_id in page.text
    with container.sessions.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
        token_hash = session.scalar(select(WebSession.token_hash))
    # The cookie carries the signed token; the database holds only the token's hash.
    token = unsign(container, client.cookies.get("oo_session"))
    assert token is not None
    assert token_hash == hash_secret(token)
    assert token != token_hash
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    with container.sessions.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert client.get("/integrations/api", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, org: Org) -> None:
    for username, password in (("admin", "wrong password"), ("nobody", PASSWORD)):
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 401
        assert "Wrong username or password" in response.text
        assert "oo_session" not in response.cookies


def test_forms_without_csrf_token_are_refused(client: TestClient, org: Org) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "security token" in response.text
    csrf = sign_in(client, "admin")
    forged = client.post("/integrations/api/keys", data={"label": "x", "csrf_token": "f" * 64})
    assert forged.status_code == 403
    # A token from another session (e.g. the anonymous one) is not valid either.
    assert client.post("/logout", data={}).status_code == 403
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )


def test_session_expires(client: TestClient, org: Org, clock: FrozenClock) -> None:
    sign_in(client, "admin")
    clock.advance(timedelta(days=15))
    assert client.get("/integrations/api", follow_redirects=False).status_code == 303


def test_tampered_cookie_is_ignored(client: TestClient, org: Org) -> None:
    sign_in(client, "admin")
    value = client.cookies["oo_session"]
    payload, _, _signature = value.rpartition(".")
    client.cookies.clear()
    client.cookies.set("oo_session", payload + ".forged")
    assert client.get("/integrations/api", follow_redirects=False).status_code == 303


def test_next_is_followed_only_within_the_site(client: TestClient, org: Org) -> None:
    for given, expected in (("/integrations/rest", "/integrations/rest"), ("//evil.example", "/")):
        page = client.get("/login", params={"next": given})
        response = client.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "next": given,
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_password_change(client: TestClient, org: Org, container: Container) -> None:
    csrf = sign_in(client, "admin")
    wrong = client.post(
        "/account/password",
        data={
            "current": "nope",
            "password": "n3w password",
            "confirm": "n3w password",
            "csrf_token": csrf,
        },
    )
    assert wrong.status_code == 400
    assert "current password is wrong" in wrong.text
    short = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "short", "confirm": "short", "csrf_token": csrf},
    )
    assert short.status_code == 400
    assert "The password needs at least 12 characters" in short.text
    # Long enough, but a top-10k password with a year and a bang on the end.
    common = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "Password2024!",
            "confirm": "Password2024!",
            "csrf_token": csrf,
        },
    )
    assert common.status_code == 400
    assert "one of the most common" in common.text
    assert 'minlength="12"' in common.text
    other = TestClient(client.app)
    sign_in(other, "admin")
    done = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "n3w password",
            "confirm": "n3w password",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    # This browser keeps a fresh session; the other one is signed out.
    assert client.get("/integrations/api").status_code == 200
    assert other.get("/integrations/api", follow_redirects=False).status_code == 303
    sign_in(other, "admin", "n3w password")


def test_set_password_link(
    client: TestClient, org: Org, container: Container, clock: FrozenClock
) -> None:
    with container.sessions.transaction() as session:
        from openoncall.users.service import create_user

        user = create_user(
            session,
            org.org_id,
            username="newbie",
            first_name="New",
            last_name="Bie",
            email="newbie@acme.example",
            now=clock.now(),
        )
        token = mint_invitation(session, org.org_id, user.id, expiration_hours=2, now=clock.now())
        old = mint_invitation(session, org.org_id, user.id, expiration_hours=2, now=clock.now())
    # Issuing a new link retires the earlier one.
    assert client.get(f"/set-password/{token}").status_code == 404
    page = client.get(f"/set-password/{old}")
    assert page.status_code == 200
    assert "newbie" in page.text
    mismatch = client.post(
        f"/set-password/{old}",
        data={
            "password": "a good password",
            "confirm": "another one",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert mismatch.status_code == 400
    assert "differ" in mismatch.text
    for weak, why in (("iloveyou", "at least 12"), ("qwertyuiop123", "most common")):
        refused = client.post(
            f"/set-password/{old}",
            data={"password": weak, "confirm": weak, "csrf_token": csrf_of(page.text)},
        )
        assert refused.status_code == 400
        assert why in refused.text
    done = client.post(
        f"/set-password/{old}",
        data={
            "password": "a good password",
            "confirm": "a good password",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/integrations/api").status_code == 200
    with container.sessions.transaction() as session:
        stored = session.scalar(select(User).where(User.username == "newbie"))
        assert stored is not None
        assert stored.is_verified
        assert stored.password_updated_at == clock.now()
    # Used once: the link is dead now.
    assert client.get(f"/set-password/{old}").status_code == 404


def test_set_password_link_expires(
    client: TestClient, org: Org, container: Container, clock: FrozenClock
) -> None:
    add_user(container, org, "late")
    with container.sessions.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == "late"))
        assert user_id is not None
        token = mint_invitation(session, org.org_id, user_id, expiration_hours=1, now=clock.now())
    clock.advance(timedelta(minutes=59))
    assert client.get(f"/set-password/{token}").status_code == 200
    clock.advance(timedelta(minutes=2))
    expired = client.get(f"/set-password/{token}")
    assert expired.status_code == 404
    assert "expired" in expired.text


def test_password_guessing_is_throttled(
    engine: Engine, settings: Settings, clock: FrozenClock, org: Org
) -> None:
    """With limits on (scale 0.05: 3 attempts a minute), the 4th try is refused unhashed."""
    throttled = build_container(
        settings.model_copy(update={"rate_limit_scale": 0.05}), clock=clock, engine=engine
    )
    with TestClient(create_app(throttled)) as browser:
        statuses = []
        for _ in range(4):
            form = browser.get("/login")
            statuses.append(
                browser.post(
                    "/login",
                    data={
                        "username": "admin",
                        "password": "guess",
                        "csrf_token": csrf_of(form.text),
                    },
                ).status_code
            )
        assert statuses == [401, 401, 401, 429]
        form = browser.get("/login")
        blocked = browser.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        )
        assert blocked.status_code == 429
        assert "Too many sign-in attempts" in blocked.text
        # Another user is not locked out by admin's attackers.
        add_user(throttled, org, "bob")
        sign_in(browser, "bob")
