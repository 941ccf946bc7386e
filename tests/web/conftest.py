"""Helpers for web tests: read the CSRF token from a page, sign in through the form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from openoncall.users.models import Role
from openoncall.users.service import create_user
from tests.conftest import Org
from tests.web.browser import browser, live_server, page, phone_page

__all__ = ["browser", "live_server", "page", "phone_page"]  # browser fixtures

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Signs in through the form; returns the CSRF token of the signed-in session."""
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    return csrf_of(client.get("/account/password").text)


def add_user(
    container: Container, org: Org, username: str, *, admin: bool = False, role: Role | None = None
) -> None:
    with container.sessions.transaction() as session:
        create_user(
            session,
            org.org_id,
            username=username,
            first_name=username.title(),
            last_name="Tester",
            email=f"{username}@acme.example",
            role=role or (Role.GLOBAL_ADMIN if admin else Role.USER),
            password=PASSWORD,
            now=container.clock.now(),
        )


@pytest.fixture
def admin_csrf(client: TestClient, org: Org) -> str:
    """The client signed in as the org's admin; the value is the session's CSRF token."""
    return sign_in(client, org.boot.admin_username)
