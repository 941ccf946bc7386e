"""Rate limits over HTTP: 429 + Retry-After, scaling, per org/operation, shared through Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from httpx2 import Response

from openoncall.app import create_app
from openoncall.container import Container, build_container
from openoncall.db import migrate
from openoncall.db.engine import make_engine
from openoncall.settings import Settings
from tests.conftest import Org, make_org

TIMEOUTS = "/api-public/v1/policies/types/timeouts"
CONTACTS = "/api-public/v1/policies/types/contacts"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def _client(base: Container, *, scale: float, redis_url: str | None = None) -> TestClient:
    """A new app on the test's database with its own limiter (the test's container cleans up)."""
    settings = Settings(
        database_url=base.settings.database_url,
        rate_limit_scale=scale,
        redis_url=redis_url,
        usage_flush_seconds=60,
    )
    container = build_container(settings, clock=base.clock, engine=base.engine)
    return TestClient(create_app(container), raise_server_exceptions=False)


@pytest.fixture
def limited(container: Container) -> Iterator[TestClient]:
    """An app whose default 60/min limit is scaled to 3/min (the `container` cleans up)."""
    with _client(container, scale=0.05) as client:
        yield client


def _assert_too_many(r: Response) -> None:
    assert r.status_code == 429
    assert r.json() == {"message": "Too Many Requests"}
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= 60


def test_over_the_limit_is_429_with_retry_after(limited: TestClient, org: Org) -> None:
    for _ in range(3):
        assert limited.get(TIMEOUTS, headers=org.headers).status_code == 200
    _assert_too_many(limited.get(TIMEOUTS, headers=org.headers))
    _assert_too_many(limited.get(TIMEOUTS, headers=org.headers))


def test_limits_are_per_operation_and_per_organization(
    limited: TestClient, org: Org, container: Container
) -> None:
    other = make_org(container, name="Globex")
    for _ in range(3):
        assert limited.get(TIMEOUTS, headers=org.headers).status_code == 200
    _assert_too_many(limited.get(TIMEOUTS, headers=org.headers))
    # Another operation of the same organization has its own count …
    assert limited.get(CONTACTS, headers=org.headers).status_code == 200
    # … and so has the same operation of another organization.
    assert limited.get(TIMEOUTS, headers=other.headers).status_code == 200


def test_unauthenticated_calls_do_not_use_up_the_limit(limited: TestClient, org: Org) -> None:
    for _ in range(5):
        assert limited.get(TIMEOUTS).status_code == 401
    for _ in range(3):
        assert limited.get(TIMEOUTS, headers=org.headers).status_code == 200


def test_scale_one_allows_exactly_the_spec_limit(container: Container, org: Org) -> None:
    with _client(container, scale=1) as client:
        for i in range(60):
            assert client.get(TIMEOUTS, headers=org.headers).status_code == 200, i
        _assert_too_many(client.get(TIMEOUTS, headers=org.headers))


def test_scale_multiplies_the_limit(container: Container, org: Org) -> None:
    with _client(container, scale=0.1) as client:
        for i in range(6):
            assert client.get(TIMEOUTS, headers=org.headers).status_code == 200, i
        _assert_too_many(client.get(TIMEOUTS, headers=org.headers))


def test_scale_zero_turns_limits_off(container: Container, org: Org) -> None:
    with _client(container, scale=0) as client:
        for i in range(61):
            assert client.get(TIMEOUTS, headers=org.headers).status_code == 200, i


def test_unreachable_redis_lets_calls_through(container: Container, org: Org) -> None:
    # Port 1 on loopback: connection refused at once. The API keeps answering.
    with _client(container, scale=0.05, redis_url="redis://127.0.0.1:1/0") as client:
        for i in range(5):
            assert client.get(TIMEOUTS, headers=org.headers).status_code == 200, i


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("OPENONCALL_TEST_REDIS_URL")
    if url is None:
        try:
            redis.Redis.from_url(DEFAULT_REDIS, socket_connect_timeout=1).ping()
        except redis.RedisError:
            pytest.skip("OPENONCALL_TEST_REDIS_URL is unset and no Redis answers locally")
        url = DEFAULT_REDIS
    return url


def test_two_app_instances_share_one_redis_backed_limit(
    container: Container, org: Org, redis_url: str
) -> None:
    """Two containers and apps (two server processes in production) count together."""
    conn = redis.Redis.from_url(redis_url)
    pattern = f"openoncall:ratelimit:api/{org.boot.api_id}/*"
    try:
        with (
            _client(container, scale=0.05, redis_url=redis_url) as first,
            _client(container, scale=0.05, redis_url=redis_url) as second,
        ):
            assert first.app is not second.app
            assert first.get(TIMEOUTS, headers=org.headers).status_code == 200
            assert second.get(TIMEOUTS, headers=org.headers).status_code == 200
            assert first.get(TIMEOUTS, headers=org.headers).status_code == 200
            # Three calls in all: each app alone made fewer than 3, together they are full.
            _assert_too_many(second.get(TIMEOUTS, headers=org.headers))
            _assert_too_many(first.get(TIMEOUTS, headers=org.headers))
            keys = sorted(k.decode() for k in conn.scan_iter(match=pattern))
            assert keys == [f"openoncall:ratelimit:api/{org.boot.api_id}/GET {TIMEOUTS}/3/1/minute"]
    finally:
        for key in conn.scan_iter(match=pattern):
            conn.delete(key)
        conn.close()


def test_same_slug_in_two_databases_does_not_share_a_count(
    container: Container, org: Org, redis_url: str, tmp_path: Path
) -> None:
    """Counts are keyed by API ID: another installation's org "acme" is another org."""
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    migrate.upgrade(other_url)
    other_engine = make_engine(other_url)
    conn = redis.Redis.from_url(redis_url)
    api_ids = [org.boot.api_id]
    try:
        other_container = build_container(
            Settings(database_url=other_url, rate_limit_scale=0.05, redis_url=redis_url),
            clock=container.clock,
            engine=other_engine,
        )
        other = make_org(other_container, name="Acme")
        api_ids.append(other.boot.api_id)
        assert other.boot.org_slug == org.boot.org_slug == "acme"
        with TestClient(create_app(other_container)) as other_client:
            for _ in range(3):
                assert other_client.get(TIMEOUTS, headers=other.headers).status_code == 200
            _assert_too_many(other_client.get(TIMEOUTS, headers=other.headers))
        with _client(container, scale=0.05, redis_url=redis_url) as client:
            assert client.get(TIMEOUTS, headers=org.headers).status_code == 200
    finally:
        other_engine.dispose()
        for api_id in api_ids:
            for key in conn.scan_iter(match=f"openoncall:ratelimit:api/{api_id}/*"):
                conn.delete(key)
        conn.close()


TEAMS = "/api-public/v1/team"  # a plain `def` endpoint: the Redis hit rides its thread hop


def test_two_app_instances_share_a_limit_on_a_threadpool_endpoint(
    container: Container, org: Org, redis_url: str
) -> None:
    conn = redis.Redis.from_url(redis_url)
    pattern = f"openoncall:ratelimit:api/{org.boot.api_id}/*"
    try:
        with (
            _client(container, scale=0.05, redis_url=redis_url) as first,
            _client(container, scale=0.05, redis_url=redis_url) as second,
        ):
            assert first.get(TEAMS, headers=org.headers).status_code == 200
            assert second.get(TEAMS, headers=org.headers).status_code == 200
            assert first.get(TEAMS, headers=org.headers).status_code == 200
            _assert_too_many(second.get(TEAMS, headers=org.headers))
            keys = sorted(k.decode() for k in conn.scan_iter(match=pattern))
            assert keys == [f"openoncall:ratelimit:api/{org.boot.api_id}/GET {TEAMS}/3/1/minute"]
    finally:
        for key in conn.scan_iter(match=pattern):
            conn.delete(key)
        conn.close()


@pytest.mark.parametrize("path", [TIMEOUTS, TEAMS])
def test_a_full_operation_is_refused_from_memory_without_asking_redis(
    container: Container, org: Org, redis_url: str, path: str
) -> None:
    """Once refused, an operation stays refused in that process until its window frees a
    call: the counts wiped from Redis meanwhile, the process still answers 429 from memory,
    while another process, which never saw it full, asks Redis and is let through."""
    conn = redis.Redis.from_url(redis_url)
    pattern = f"openoncall:ratelimit:api/{org.boot.api_id}/*"
    try:
        with _client(container, scale=0.05, redis_url=redis_url) as first:
            for _ in range(3):
                assert first.get(path, headers=org.headers).status_code == 200
            _assert_too_many(first.get(path, headers=org.headers))
            for key in conn.scan_iter(match=pattern):
                conn.delete(key)
            _assert_too_many(first.get(path, headers=org.headers))
            assert list(conn.scan_iter(match=pattern)) == []  # not even a refused hit
            with _client(container, scale=0.05, redis_url=redis_url) as second:
                assert second.get(path, headers=org.headers).status_code == 200
    finally:
        for key in conn.scan_iter(match=pattern):
            conn.delete(key)
        conn.close()
