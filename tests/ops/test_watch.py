"""The pager watching itself: metrics after an alert's life, /readyz and the engine
heartbeat, Redis in /readyz, and the dead-man URL called from the engine loop."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from openoncall.app import create_app
from openoncall.clock import FrozenClock
from openoncall.container import Container, build_container
from openoncall.engine.runner import build_engine
from openoncall.jobs import writer
from openoncall.jobs.kinds import JobKind
from openoncall.settings import Settings
from tests.conftest import Org
from tests.engine.channels import Outbox, recording_channels
from tests.engine.conftest import (
    ALERT_PATH,
    add_policy,
    add_routing_key,
    add_team,
    add_user,
    post_alert,
    user_entry,
)
from tests.engine.servers import http_stub

NAMES = (
    "openoncall_alerts_accepted_total",
    "openoncall_incident_transitions_total",
    "openoncall_deliveries_planned_total",
    "openoncall_deliveries_total",
    "openoncall_delivery_duration_seconds_count",
    "openoncall_jobs_pending",
    "openoncall_jobs_due",
    "openoncall_job_oldest_due_age_seconds",
    "openoncall_engine_heartbeat_age_seconds",
    "openoncall_engine_lag_seconds",
    "openoncall_engine_last_heartbeat_age_seconds",
    "openoncall_engine_cycles_total",
    "openoncall_database_up",
    "openoncall_http_requests_total",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "python_info",
    "python_gc_collections_total",
)


def _value(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert match is not None, f"{name}{labels} not in /metrics"
    return float(match.group(1))


def test_metrics_after_an_alerts_life(api: TestClient, org: Org, container: Container) -> None:
    outbox = Outbox()
    worker = build_engine(container, channels=recording_channels(outbox))
    add_user(api, "alice")
    policy = add_policy(api, add_team(api), [{"timeout": 0, "entries": [user_entry("alice")]}])
    add_routing_key(api, "db", [policy])
    before = api.get("/metrics").text
    try:
        post_alert(api, org, "db")
        worker.run_once()
        r = api.patch(
            "/api-public/v1/incidents/ack",
            json={"userName": "admin", "incidentNames": ["1"], "message": "mine"},
        )
        assert r.status_code == 200, r.text
        # An unknown endpoint key is refused before routing: still the alert operation.
        assert api.post(f"{ALERT_PATH}/nope/db", json={}).status_code == 404
    finally:
        worker.stop()
    text = api.get("/metrics").text
    for name in NAMES:
        assert re.search(rf"^{name}[{{ ]", text, re.M), name
    accepted = 'openoncall_alerts_accepted_total{endpoint="rest",message_type="CRITICAL"}'
    assert _value(text, accepted) == _value(before + f"\n{accepted} 0", accepted) + 1
    for transition in ("opened", "acknowledged"):
        assert _value(
            text, "openoncall_incident_transitions_total", f'{{transition="{transition}"}}'
        )
    assert _value(text, "openoncall_deliveries_total", '{channel="email",outcome="sent"}') >= 1
    assert _value(text, "openoncall_jobs_due") == 0
    template = f"{ALERT_PATH}/{{rest_key}}/{{routing_key}}"
    assert f'operation="{template}",status="404"' in text
    assert 'operation="unmatched"' not in text


def test_database_gauges_are_read_at_scrape_time_by_any_process(
    container: Container, clock: FrozenClock
) -> None:
    with container.sessions.transaction() as session:
        writer.enqueue(
            session,
            kind=JobKind.DELIVERY_SEND,
            payload={},
            due_at=clock.now() - timedelta(seconds=30),
            now=clock.now(),
        )
    # A second app over the same database, as another `serve` process would be.
    other = build_container(container.settings, clock=clock, engine=container.engine)
    with TestClient(create_app(container)) as one, TestClient(create_app(other)) as two:
        for client in (one, two):
            text = client.get("/metrics").text
            assert _value(text, "openoncall_jobs_pending", '{kind="delivery.send"}') == 1
            assert _value(text, "openoncall_jobs_due") == 1
            assert _value(text, "openoncall_job_oldest_due_age_seconds") == 30


def test_rate_limit_rejections_are_counted(db_url: str, org: Org, container: Container) -> None:
    # 60/min scaled to 1/min: the second call of a minute is refused.
    limited = build_container(
        Settings(database_url=db_url, rate_limit_scale=1 / 60), engine=container.engine
    )
    with TestClient(create_app(limited)) as client:
        path = "/api-public/v1/policies/types/timeouts"
        assert client.get(path, headers=org.headers).status_code == 200
        assert client.get(path, headers=org.headers).status_code == 429
        text = client.get("/metrics").text
    labels = f'{{method="GET",operation="{path}"}}'
    assert _value(text, "openoncall_rate_limit_rejections_total", labels) >= 1


def test_readyz_fails_until_an_engine_has_run_and_when_it_stops(
    client: TestClient, container: Container, clock: FrozenClock
) -> None:
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["engine"] == "unavailable"
    assert r.json()["error"] == "no engine has run"
    assert r.json()["database"] == "ok"

    worker = build_engine(container, channels=recording_channels(Outbox()))
    try:
        worker.run_once()
    finally:
        worker.stop()
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["engine"] == "ok"
    assert r.json()["engineHeartbeatAgeSeconds"] == 0

    clock.advance(seconds=61)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["error"] == "no engine heartbeat for 61 s (limit 60 s)"
    metrics = client.get("/metrics").text
    assert _value(metrics, "openoncall_engine_last_heartbeat_age_seconds") == 61


def test_readyz_ignores_the_engine_when_told_to(db_url: str, container: Container) -> None:
    settings = Settings(database_url=db_url, ready_engine_max_age_seconds=0)
    with TestClient(create_app(build_container(settings, engine=container.engine))) as client:
        r = client.get("/readyz")
    assert (r.status_code, r.json()) == (200, {"status": "ok", "database": "ok"})


@pytest.mark.parametrize(
    ("redis_url", "status"),
    [("redis://127.0.0.1:6379/0", 200), ("redis://127.0.0.1:1/0", 503)],
)
def test_readyz_checks_redis_when_configured(
    db_url: str, container: Container, redis_url: str, status: int
) -> None:
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = Settings(database_url=db_url, redis_url=redis_url, ready_engine_max_age_seconds=0)
    with TestClient(create_app(build_container(settings, engine=container.engine))) as client:
        r = client.get("/readyz")
    assert r.status_code == status, r.text
    assert r.json()["redis"] == ("ok" if status == 200 else "unavailable")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_engine_calls_the_deadman_url_at_most_once_per_interval(
    db_url: str, container: Container, method: str
) -> None:
    with http_stub() as monitor:
        settings = Settings(
            database_url=db_url,
            deadman_url=SecretStr(f"{monitor.url}/ping/check-secret"),
            deadman_method=method,
            deadman_interval_seconds=0.5,
            engine_heartbeat_seconds=0.1,
            webhook_allowlist="127.0.0.0/8",
        )
        engine = build_engine(
            build_container(settings, engine=container.engine),
            channels=recording_channels(Outbox()),
        )
        engine.start()
        try:
            assert monitor.inbox.wait_for(2, timeout=10)
            time.sleep(0.3)
        finally:
            engine.stop()
        calls = monitor.requests()
    # About 1.3 s of cycles every 0.1 s (the heartbeat's pace): 2-4 calls, not one per cycle.
    assert 2 <= len(calls) <= 4
    assert {c.path for c in calls} == {"/ping/check-secret"}


def test_the_deadman_url_goes_through_the_egress_guard(
    db_url: str, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    with http_stub() as monitor:
        settings = Settings(
            database_url=db_url, deadman_url=SecretStr(f"{monitor.url}/ping/check-secret")
        )
        engine = build_engine(
            build_container(settings, engine=container.engine),
            channels=recording_channels(Outbox()),
        )
        try:
            engine.run_once()
            deadline = time.monotonic() + 5
            while "dead-man call failed" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            engine.stop()
        assert monitor.requests() == []
    assert "dead-man call failed: EgressRefused" in caplog.text
    assert "check-secret" not in caplog.text
