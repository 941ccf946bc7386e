"""Browser assets are served by OpenOnCall itself (htmx and chart.js from npm's node_modules,
our CSS/JS from the package), and pages carry the headers that keep secrets private."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Org
from tests.web.conftest import PASSWORD, csrf_of, sign_in


def test_vendor_assets_come_from_node_modules(client: TestClient) -> None:
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200, "run `npm ci --omit=dev` (scripts/_venv.sh does)"
    assert htmx.headers["content-type"].startswith("text/javascript")
    assert "htmx" in htmx.text
    chart = client.get("/static/vendor/chart.umd.min.js")
    assert chart.status_code == 200
    assert "Chart" in chart.text
    # Only the listed files: no browsing node_modules through the server.
    assert client.get("/static/vendor/..%2Fpackage.json").status_code == 404
    assert client.get("/static/vendor/lodash.js").status_code == 404
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_pages_are_not_cached_framed_or_referred(client: TestClient, org: Org) -> None:
    sign_in(client, "admin")
    page = client.get("/integrations/api")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    login = client.get("/login")
    assert login.headers["x-frame-options"] == "DENY"


def test_session_cookie_is_http_only_and_same_site(client: TestClient, org: Org) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("oo_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
