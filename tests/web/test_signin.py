"""Sign-in, sessions, CSRF, logout, password change and set-password links, over HTTP."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
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
    for given, expected in (
        ("/integrations/rest", "/integrations/rest"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),  # browsers read a backslash as a slash
    ):
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


def test_redirect_headers_carry_an_encoded_url(client: TestClient, org: Org) -> None:
    """`next` comes from the form: CR/LF, spaces and non-ASCII in it are percent-encoded in
    Location and HX-Redirect alike, so they can neither add a header nor fail the answer."""
    given = "/timeline?team=a b\r\nX-Evil: 1&z=\u00fc"
    encoded = "/timeline?team=a%20b%0D%0AX-Evil:%201&z=%C3%BC"
    for htmx in (False, True):
        client.cookies.clear()
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "next": given,
                "csrf_token": csrf_of(page.text),
            },
            headers={"HX-Request": "true"} if htmx else {},
            follow_redirects=False,
        )
        assert response.status_code == (204 if htmx else 303), response.text
        assert response.headers["hx-redirect" if htmx else "location"] == encoded
        assert "x-evil" not in response.headers


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


def _from(app: FastAPI, address: str) -> TestClient:
    """A browser at its own client address."""
    return TestClient(app, client=(address, 50000))


def _try(browser: TestClient, username: str, password: str) -> int:
    form = browser.get("/login")
    response = browser.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    if response.status_code == 429:
        assert int(response.headers["retry-after"]) >= 1
        assert "Too many failed sign-ins" in response.text
    return response.status_code


def test_spraying_usernames_from_one_address_is_throttled(
    app: FastAPI, settings: Settings, org: Org
) -> None:
    """The tests' settings turn API limits off (rate_limit_scale=0): sign-in is throttled
    anyway. 10 failures a minute per address, whichever usernames they name."""
    assert settings.rate_limit_scale == 0
    with _from(app, "127.0.0.2") as sprayer, _from(app, "127.0.0.3") as owner:
        statuses = [_try(sprayer, f"user{n}", "Winter2026!") for n in range(60)]
        assert statuses == [401] * 10 + [429] * 50
        # The right password from the throttled address is not even checked.
        assert _try(sprayer, "admin", PASSWORD) == 429
        assert _try(owner, "admin", PASSWORD) == 303


def test_attacker_cannot_lock_the_owner_out(app: FastAPI, org: Org) -> None:
    """Failures on one account from many addresses fill its limit (5 a minute, then longer
    waits); an address that has not failed on it still gets a small allowance (3)."""
    with _from(app, "127.0.0.2") as attacker:
        assert [_try(attacker, "admin", f"guess{n}") for n in range(6)] == [401] * 5 + [429]
        assert _try(attacker, "admin", PASSWORD) == 429
    for n in range(4, 7):  # the attacker moves to fresh addresses: 3 guesses each
        with _from(app, f"127.0.0.{n}") as attacker:
            guesses = [_try(attacker, "admin", f"guess{n}{m}") for m in range(4)]
            assert guesses == [401] * 3 + [429]
    with _from(app, "127.0.0.3") as owner:
        assert _try(owner, "admin", "a typo") == 401
        assert _try(owner, "admin", PASSWORD) == 303


def test_current_password_guessing_is_throttled(client: TestClient, org: Org) -> None:
    csrf = sign_in(client, "admin")
    statuses = []
    for n in range(6):
        response = client.post(
            "/account/password",
            data={
                "current": f"guess{n}",
                "password": "n3w password",
                "confirm": "n3w password",
                "csrf_token": csrf,
            },
        )
        statuses.append(response.status_code)
    assert statuses == [400] * 5 + [429]


def test_login_throttle_can_be_turned_off(
    engine: Engine, settings: Settings, clock: FrozenClock, org: Org
) -> None:
    unthrottled = build_container(
        settings.model_copy(update={"login_throttle": False}), clock=clock, engine=engine
    )
    with _from(create_app(unthrottled), "127.0.0.2") as browser:
        assert {_try(browser, "admin", f"guess{n}") for n in range(12)} == {401}
        assert _try(browser, "admin", PASSWORD) == 303
