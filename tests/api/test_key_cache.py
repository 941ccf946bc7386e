"""The in-process API key cache: revocation through the ORM is immediate, elsewhere bounded."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from openoncall.auth import api_keys
from openoncall.container import Container
from openoncall.orgs.models import ApiKey
from openoncall.orgs.service import revoke_api_key
from tests.conftest import Org

URL = "/api-public/v1/policies/types/timeouts"


def _key(container: Container, org: Org) -> ApiKey:
    with container.sessions.transaction(write=False) as session:
        return session.scalars(select(ApiKey).where(ApiKey.org_id == org.org_id)).one()


def test_revoking_through_the_services_takes_effect_at_once(
    client: TestClient, org: Org, container: Container
) -> None:
    for _ in range(3):  # the key is now in the cache
        assert client.get(URL, headers=org.headers).status_code == 200
    with container.sessions.transaction() as session:
        revoke_api_key(
            session, org.org_id, _key(container, org).public_id, by=None, now=container.clock.now()
        )
    r = client.get(URL, headers=org.headers)
    assert r.status_code == 403
    assert r.json() == {"error": "Authentication failed", "message": "Authentication failed"}


def test_a_rolled_back_revocation_keeps_the_key_working(
    client: TestClient, org: Org, container: Container
) -> None:
    assert client.get(URL, headers=org.headers).status_code == 200
    public_id = _key(container, org).public_id

    def revoke_then_fail() -> None:
        with container.sessions.transaction() as session:
            revoke_api_key(session, org.org_id, public_id, by=None, now=container.clock.now())
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        revoke_then_fail()
    assert client.get(URL, headers=org.headers).status_code == 200


def test_revocation_by_another_process_is_seen_within_the_ttl(
    client: TestClient, org: Org, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_keys, "CACHE_TTL_SECONDS", 0.3)
    api_keys.clear_key_cache()
    assert client.get(URL, headers=org.headers).status_code == 200
    # Another server process revokes: a plain UPDATE this process's ORM never sees.
    with container.engine.begin() as conn:
        conn.execute(
            update(ApiKey)
            .where(ApiKey.org_id == org.org_id)
            .values(revoked_at=container.clock.now())
        )
    assert client.get(URL, headers=org.headers).status_code == 200  # still cached
    time.sleep(0.35)
    assert client.get(URL, headers=org.headers).status_code == 403


def test_failed_lookups_are_not_cached(client: TestClient, org: Org) -> None:
    wrong = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": "not-a-key"}
    for _ in range(2):
        assert client.get(URL, headers=wrong).status_code == 403
    assert client.get(URL, headers=org.headers).status_code == 200
