"""X-VO-Api-Id / X-VO-Api-Key authentication, read-only keys, revocation and call tallies."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.orgs.models import ApiKey, ApiKeyUsage
from openoncall.orgs.service import create_api_key, revoke_api_key
from tests.conftest import Org

URL = "/api-public/v1/policies/types/timeouts"


def test_missing_headers_are_401_naming_the_header(client: TestClient, org: Org) -> None:
    r = client.get(URL, headers={"X-VO-Api-Id": org.boot.api_id})
    assert r.status_code == 401
    assert r.json() == {
        "error": "Authentication parameters missing: X-VO-Api-Key",
        "field": "X-VO-Api-Key",
        "message": "Authentication parameters missing: X-VO-Api-Key",
    }


def test_wrong_key_is_403(client: TestClient, org: Org) -> None:
    r = client.get(URL, headers={"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": "nope"})
    assert r.status_code == 403
    assert r.json() == {"error": "Authentication failed", "message": "Authentication failed"}


def test_key_of_another_org_is_403(client: TestClient, org: Org, container: Container) -> None:
    from tests.conftest import make_org

    other = make_org(container, name="Globex")
    r = client.get(
        URL, headers={"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": other.boot.api_key}
    )
    assert r.status_code == 403


def test_revoked_key_is_403(client: TestClient, org: Org, container: Container) -> None:
    assert client.get(URL, headers=org.headers).status_code == 200
    with container.sessions.transaction() as session:
        key = session.scalars(select(ApiKey).where(ApiKey.org_id == org.org_id)).one()
        revoke_api_key(session, org.org_id, key.public_id, by=None, now=container.clock.now())
    assert client.get(URL, headers=org.headers).status_code == 403


def test_key_is_stored_only_as_a_hash(org: Org, container: Container) -> None:
    with container.sessions.transaction(write=False) as session:
        key = session.scalars(select(ApiKey).where(ApiKey.org_id == org.org_id)).one()
    assert org.boot.api_key not in (key.key_hash, key.public_id, key.label)
    assert len(key.key_hash) == 64


def test_read_only_key_may_get(client: TestClient, org: Org, container: Container) -> None:
    with container.sessions.transaction() as session:
        ro = create_api_key(
            session, org.org_id, created_by=None, is_read_only=True, now=container.clock.now()
        )
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": ro.api_key}
    assert client.get(URL, headers=headers).status_code == 200


def test_calls_are_tallied_per_key_and_day(
    client: TestClient, org: Org, container: Container
) -> None:
    for _ in range(3):
        assert client.get(URL, headers=org.headers).status_code == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with container.sessions.transaction(write=False) as session:
            key = session.scalars(select(ApiKey).where(ApiKey.org_id == org.org_id)).one()
            usage = session.scalars(select(ApiKeyUsage)).all()
        if key.total_calls == 3:
            break
        time.sleep(0.05)
    assert key.total_calls == 3
    assert [(u.day_on, u.calls) for u in usage] == [(container.clock.now().date(), 3)]
    assert key.last_used_at == container.clock.now()


def test_unknown_path_is_json_404(api: TestClient) -> None:
    r = api.get("/api-public/v1/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"error": "Not Found", "message": "Not Found"}
