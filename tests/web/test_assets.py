"""Browser assets are served by OpenOnCall itself (htmx and chart.js from npm's node_modules,
our CSS/JS from the package), and pages carry the headers that keep secrets private."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from openoncall.web import deps
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


def _csp(policy: str) -> dict[str, str]:
    return {d.split()[0]: d for d in (p.strip() for p in policy.split(";")) if d}


def test_every_html_answer_carries_the_csp_and_security_headers(
    client: TestClient, org: Org
) -> None:
    anonymous = [
        client.get("/login"),
        client.get("/links/not-a-token"),  # the signed ack/resolve links' pages
        client.get("/api-docs"),
    ]
    sign_in(client, "admin")
    signed_in = [
        client.get("/timeline"),
        client.get("/incidents/99"),  # an error page
        client.get("/timeline", headers={"HX-Request": "true", "HX-Target": "incident-list"}),
    ]
    for response in anonymous + signed_in:
        where = str(response.url)
        assert response.headers["content-type"].startswith("text/html"), where
        csp = _csp(response.headers["content-security-policy"])
        assert csp["script-src"] == "script-src 'self'", where
        assert csp["style-src"] == "style-src 'self'", where
        assert csp["frame-ancestors"] == "frame-ancestors 'none'", where
        assert csp["object-src"] == "object-src 'none'", where
        assert response.headers["x-frame-options"] == "DENY", where
        assert response.headers["x-content-type-options"] == "nosniff", where
        assert response.headers["referrer-policy"] == "same-origin", where
        assert response.headers["cache-control"] == "no-store", where
    # JSON answers need no page policy.
    assert "content-security-policy" not in client.get("/api-docs/openapi.json").headers


_INLINE = re.compile(
    r"""\son[a-z]+\s*=|javascript:|<script(?![^>]*\bsrc=)(?![^>]*application/json)"""
)


def test_templates_hold_no_inline_script() -> None:
    """The CSP would refuse it: behaviour belongs in /static/app.js."""
    templates = Path(deps.__file__).parent / "templates"
    offending = [
        f"{path.name}: {match.group(0)}"
        for path in sorted(templates.glob("*.html"))
        for match in _INLINE.finditer(path.read_text())
    ]
    assert offending == []


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
