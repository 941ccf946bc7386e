"""/api-docs: local assets only, both auth headers declared, and Try it out works."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Org

DOCS = "/api-docs"
OPENAPI = "/api-docs/openapi.json"
AUTH_SCHEMES = {"X-VO-Api-Id", "X-VO-Api-Key"}

_URL = re.compile(r"""https?://[^\s"'<>()]+""")
_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")
_SCRIPT_SRC = re.compile(r"""<script[^>]*\ssrc\s*=""")


def _hosts(text: str) -> set[str]:
    return {re.sub(r"^https?://", "", url).split("/")[0] for url in _URL.findall(text)}


def test_docs_page_and_everything_it_references_is_served_locally(client: TestClient) -> None:
    page = client.get(DOCS)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert _hosts(page.text) <= {"testserver"}
    references = _REFERENCE.findall(page.text)
    # The stylesheet, the favicon, the Swagger UI bundle and our initializer.
    assert len(references) == 4
    assert len(_SCRIPT_SRC.findall(page.text)) == 2
    for ref in references:
        assert not ref.startswith("//"), ref
        assert not _URL.match(ref), ref
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 0, ref
        if ref.endswith(".css"):
            # Everything a stylesheet loads is inline (data: URIs); namespaces are not loads.
            loads = [u for u in _CSS_URL.findall(asset.text) if not u.startswith("data:")]
            assert loads == [], ref
        if ref.endswith("swagger-initializer.js"):
            assert _hosts(asset.text) == set()
            assert f'url: "{OPENAPI}"' in asset.text
            # Swagger UI's default online validator badge would call validator.swagger.io.
            assert "validatorUrl: null" in asset.text


def test_unknown_asset_is_404_and_never_reads_outside_the_asset_list(client: TestClient) -> None:
    for name in ("index.html", "..%2F..%2Fpyproject.toml", "swagger-ui.css.map"):
        r = client.get(f"{DOCS}/assets/{name}")
        assert r.status_code == 404, name
        assert r.json()["error"].startswith("No such asset") or r.json() == {
            "error": "Not Found",
            "message": "Not Found",
        }


def test_openapi_declares_both_headers_as_security_schemes(client: TestClient) -> None:
    r = client.get(OPENAPI)
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"] == {
        "X-VO-Api-Id": {"type": "apiKey", "in": "header", "name": "X-VO-Api-Id"},
        "X-VO-Api-Key": {"type": "apiKey", "in": "header", "name": "X-VO-Api-Key"},
    }
    public_ops = [
        (path, method, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if path.startswith(("/api-public/", "/api-reporting/"))
    ]
    assert public_ops, "no public operations in the document"
    for path, method, op in public_ops:
        # One requirement naming both schemes: both headers are needed together.
        assert op.get("security") == [{"X-VO-Api-Id": [], "X-VO-Api-Key": []}], (method, path)


def _swagger_ui_headers(
    doc: dict[str, Any], op: dict[str, Any], values: dict[str, str]
) -> dict[str, str]:
    """What Swagger UI sends after Authorize: each required scheme's value in its header."""
    schemes = doc["components"]["securitySchemes"]
    headers: dict[str, str] = {}
    for requirement in op["security"]:
        for name in requirement:
            scheme = schemes[name]
            assert scheme["type"] == "apiKey"
            assert scheme["in"] == "header"
            headers[scheme["name"]] = values[name]
    return headers


def test_try_it_out_with_the_authorized_schemes_succeeds(client: TestClient, org: Org) -> None:
    doc = client.get(OPENAPI).json()
    values = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": org.boot.api_key}
    op = doc["paths"]["/api-public/v1/policies/types/timeouts"]["get"]
    headers = _swagger_ui_headers(doc, op, values)
    assert set(headers) == AUTH_SCHEMES
    r = client.get("/api-public/v1/policies/types/timeouts", headers=headers)
    assert r.status_code == 200
    assert r.json()["_selfUrl"] == "/api-public/v1/policies/types/timeouts"
    # Without Authorize, the same call is refused: the headers really are what authenticates.
    assert client.get("/api-public/v1/policies/types/timeouts").status_code == 401


def test_try_it_out_authenticates_every_parameterless_get(client: TestClient, org: Org) -> None:
    doc = client.get(OPENAPI).json()
    values = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": org.boot.api_key}
    tried = 0
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if op is None or "security" not in op:
            continue
        if any(p.get("required") for p in op.get("parameters", [])):
            continue
        r = client.get(path, headers=_swagger_ui_headers(doc, op, values))
        assert r.status_code not in (401, 403), (path, r.status_code, r.text)
        assert r.status_code < 500, (path, r.status_code, r.text)
        tried += 1
    assert tried >= 3


def test_the_step_timeout_says_it_is_the_wait_before_the_step(client: TestClient) -> None:
    schemas = client.get("/api-docs/openapi.json").json()["components"]["schemas"]
    timeouts = [
        s["properties"]["timeout"] for n, s in schemas.items() if n.startswith("PolicyStep")
    ]
    assert timeouts
    for timeout in timeouts:
        assert timeout["description"].startswith("Minutes to wait before this step runs")
