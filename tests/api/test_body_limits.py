"""Request bodies are authenticated before they are read and capped while they stream.

These drive the ASGI app directly with a `receive` that counts what the app pulls, so "not
read" is measured, not inferred from the answer.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from openoncall.app import create_app
from openoncall.clock import FrozenClock
from openoncall.container import Container, build_container
from openoncall.orgs.service import create_api_key
from openoncall.settings import Settings
from tests.api.test_alerts import alert_url
from tests.conftest import Org
from tests.notify.sinks import run_async

CHUNK = 1024 * 1024
INCIDENTS = "/api-public/v1/incidents"


@dataclass
class Upload:
    """A request body of `total` bytes in `CHUNK`s, counting what the server pulled."""

    total: int
    pulled: int = 0
    answers: list[MutableMapping[str, Any]] = field(default_factory=list)

    async def receive(self) -> dict[str, Any]:
        if self.pulled >= self.total:
            return {"type": "http.disconnect"}
        size = min(CHUNK, self.total - self.pulled)
        self.pulled += size
        return {"type": "http.request", "body": b"x" * size, "more_body": self.pulled < self.total}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.answers.append(message)

    @property
    def status(self) -> int:
        return int(self.answers[0]["status"])

    def json(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.answers[1:]))


def call(
    app: FastAPI,
    path: str,
    *,
    total: int,
    headers: dict[str, str] | None = None,
    length: bool = False,
) -> Upload:
    """POST `total` bytes to `path`: chunked, or with a Content-Length when `length`."""
    upload = Upload(total)
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw.append(
        (b"content-length", str(total).encode()) if length else (b"transfer-encoding", b"chunked")
    )
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *raw],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    run_async(lambda: app(scope, upload.receive, upload.send))
    return upload


HUNDRED_MB = 100 * CHUNK


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(
    app: FastAPI, org: Org
) -> None:
    anonymous = call(app, INCIDENTS, total=HUNDRED_MB)
    assert (anonymous.status, anonymous.json(), anonymous.pulled) == (
        401,
        {
            "error": "Authentication parameters missing: X-VO-Api-Id",
            "field": "X-VO-Api-Id",
            "message": "Authentication parameters missing: X-VO-Api-Id",
        },
        0,
    )
    wrong = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": "not-the-key"}
    forged = call(app, INCIDENTS, total=HUNDRED_MB, headers=wrong)
    assert (forged.status, forged.pulled) == (403, 0)


def test_a_read_only_key_is_refused_before_its_body_is_read(
    app: FastAPI, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        made = create_api_key(
            session, org.org_id, created_by=None, is_read_only=True, now=container.clock.now()
        )
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": made.api_key}
    upload = call(app, INCIDENTS, total=HUNDRED_MB, headers=headers)
    assert (upload.status, upload.pulled) == (403, 0)


def test_a_bogus_rest_key_is_refused_before_the_alert_body_is_read(app: FastAPI) -> None:
    upload = call(app, "/integrations/generic/20131114/alert/bogus/db", total=HUNDRED_MB)
    assert (upload.status, upload.json(), upload.pulled) == (
        404,
        {"error": "Not found", "message": "Not found"},
        0,
    )


def test_an_announced_length_over_the_cap_is_refused_unread(app: FastAPI, org: Org) -> None:
    upload = call(app, INCIDENTS, total=HUNDRED_MB, headers=org.headers, length=True)
    limit = app.state.container.settings.max_body_bytes
    assert (upload.status, upload.json(), upload.pulled) == (
        413,
        {
            "error": f"Request body too large: at most {limit} bytes",
            "message": f"Request body too large: at most {limit} bytes",
            "field": "body",
        },
        0,
    )
    alert = call(app, alert_url(org, "db"), total=HUNDRED_MB, length=True)
    assert (alert.status, alert.json(), alert.pulled) == (
        413,
        {"result": "failure", "message": "Alert too large"},
        0,
    )


def test_a_chunked_body_is_cut_off_at_the_cap(app: FastAPI, org: Org) -> None:
    for path, headers in ((INCIDENTS, org.headers), (alert_url(org, "db"), {})):
        upload = call(app, path, total=HUNDRED_MB, headers=headers)
        assert upload.status == 413
        # Read one chunk past the cap at most, never the rest.
        assert upload.pulled <= app.state.container.settings.max_body_bytes + CHUNK


def test_an_unsigned_sms_webhook_is_refused_before_its_body_is_read(app: FastAPI) -> None:
    upload = call(app, "/api-ext/v1/sms/inbound", total=HUNDRED_MB)
    assert (upload.status, upload.pulled) == (403, 0)


@pytest.fixture
def small_cap_app(db_url: str, engine: Engine, clock: FrozenClock) -> FastAPI:
    settings = Settings(
        database_url=db_url,
        rate_limit_scale=0,
        max_body_bytes=2048,
        max_note_bytes=4096,
        sms_auth_token=SecretStr("t"),
    )
    return create_app(build_container(settings, clock=clock, engine=engine))


def test_the_caps_follow_the_settings(small_cap_app: FastAPI, org: Org) -> None:
    with TestClient(small_cap_app) as client:
        fits = client.post(alert_url(org, "db"), json={"message_type": "INFO", "x": "a" * 1900})
        assert fits.status_code == 200
        over = client.post(alert_url(org, "db"), json={"message_type": "INFO", "x": "a" * 2100})
        assert (over.status_code, over.json()) == (
            413,
            {"result": "failure", "message": "Alert too large"},
        )
        client.headers.update(org.headers)
        big = client.post(INCIDENTS, json={"summary": "s" * 3000})
        assert (big.status_code, big.json()["field"]) == (413, "body")
        # Notes have their own, larger cap: this body passes it (and is then a 404).
        note = client.post(
            f"{INCIDENTS}/1/notes", json={"name": "n", "json_value": {"v": "a" * 3000}}
        )
        assert note.status_code == 404
