"""Reliability on PostgreSQL with real `openoncall engine` processes and a real webhook receiver.

- two engines, one killed with SIGKILL while it holds claimed escalation jobs: after its
  leases run out the other sends every due page, and none twice;
- an ack that commits while a step is due and already claimed sends no page after the ack;
- the database dropping the engines' connections for a few seconds loses nothing;
- a commit in another process wakes a sleeping engine through LISTEN/NOTIFY.

Timers are real here (the engines run on the system clock); a test moves a step's due time
to "now" in the job table instead of waiting the policy's minutes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from openoncall.clock import SystemClock
from openoncall.container import Container
from openoncall.webhooks.service import create_webhook
from tests.conftest import Org
from tests.engine.conftest import ALERT_PATH, add_policy, add_routing_key, add_team, post_alert
from tests.engine.servers import HttpStub, free_port, http_stub

ENGINE_APP = "openoncall-engine-under-test"
INCIDENTS = 12


@pytest.fixture
def clock() -> SystemClock:
    """The engines run on real time, so the test writes on real time too."""
    return SystemClock()


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("several engine processes share one database only on PostgreSQL")


@pytest.fixture
def receiver() -> Iterator[HttpStub]:
    with http_stub() as stub:
        yield stub


def _libpq(db_url: str) -> str:
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


EngineStarter = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_engine(db_url: str, tmp_path: Path) -> Iterator[EngineStarter]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *, poll: float = 0.5, lease: float = 2.0) -> subprocess.Popen[bytes]:
        url = make_url(db_url).update_query_dict({"application_name": ENGINE_APP})
        env = {
            **os.environ,
            "OPENONCALL_DATABASE_URL": url.render_as_string(hide_password=False),
            "OPENONCALL_LOG_LEVEL": "WARNING",
            # The webhook receiver listens on loopback, which webhooks reach only when allowed.
            "OPENONCALL_WEBHOOK_ALLOWLIST": "127.0.0.0/8",
            # The heartbeat wakes an idle engine at its pace: no faster than the poll asked
            # for, so a sleepy engine really sleeps (and only NOTIFY can wake it).
            "OPENONCALL_ENGINE_HEARTBEAT_SECONDS": str(max(poll, 5.0)),
        }
        with (tmp_path / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "openoncall",
                    "engine",
                    "--poll-seconds",
                    str(poll),
                    "--lease-seconds",
                    str(lease),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        procs.append(proc)
        _wait_listening(db_url, len([p for p in procs if p.poll() is None]))
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(db_url: str, engines: int, timeout: float = 20.0) -> None:
    """Until `engines` engine processes hold a LISTEN connection."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(DISTINCT pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND query LIKE 'LISTEN%%'",
                (ENGINE_APP,),
            ).fetchone()
            if row is not None and row[0] >= engines:
                return
            time.sleep(0.05)
    raise AssertionError("engine did not start listening")


def _two_step_webhook_policy(api: TestClient, container: Container, org: Org, url: str) -> None:
    with container.sessions.transaction() as session:
        now = container.clock.now()
        first = create_webhook(session, org.org_id, label="first", url=f"{url}/step1", now=now)
        second = create_webhook(session, org.org_id, label="second", url=f"{url}/step2", now=now)
        slugs = (first.webhook.slug, second.webhook.slug)
    team = add_team(api)
    policy = add_policy(
        api,
        team,
        [
            {
                "timeout": 0,
                "entries": [{"executionType": "webhook", "webhook": {"slug": slugs[0]}}],
            },
            {
                "timeout": 5,
                "entries": [{"executionType": "webhook", "webhook": {"slug": slugs[1]}}],
            },
        ],
    )
    add_routing_key(api, "db", [policy])


def _pages(receiver: HttpStub) -> Counter[tuple[str, str]]:
    return Counter((r.path, json.loads(r.body)["incidentNumber"]) for r in receiver.requests())


def _bring_steps_forward(db_url: str) -> None:
    """Move every running escalation's next step to now (instead of waiting five minutes)."""
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        conn.execute(
            "UPDATE escalation_progress SET next_due_at = now() "
            "WHERE NOT is_done AND next_due_at IS NOT NULL"
        )


def _make_step_jobs_due(db_url: str) -> None:
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        conn.execute(
            "UPDATE job SET due_at = now() WHERE kind = 'escalation.step' AND done_at IS NULL"
        )
        conn.execute("NOTIFY openoncall_jobs")


def _leased_step_jobs(db_url: str) -> int:
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM job WHERE kind = 'escalation.step' "
            "AND done_at IS NULL AND lease_until IS NOT NULL"
        ).fetchone()
        return int(row[0]) if row else 0


def _wait(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_every_due_page_is_sent_exactly_once_when_an_engine_is_killed_mid_escalation(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    db_url: str,
    receiver: HttpStub,
    start_engine: EngineStarter,
) -> None:
    _two_step_webhook_policy(api, container, org, receiver.url)
    # Leases must outlast a send on a loaded CI machine, or a slow first page is retaken and
    # sent twice (at-least-once delivery); production leases are 60 s.
    doomed = start_engine("a", lease=6)
    start_engine("b", lease=6)
    for n in range(INCIDENTS):
        post_alert(api, org, "db", entity_id=f"host-{n}")
    assert receiver.inbox.wait_for(INCIDENTS, timeout=30)

    # Hold every escalation row, so engines that claim a step job block inside its transaction.
    _bring_steps_forward(db_url)
    with psycopg.connect(_libpq(db_url)) as blocker:
        blocker.execute("SELECT id FROM escalation_progress FOR UPDATE")
        _make_step_jobs_due(db_url)
        assert _wait(lambda: _leased_step_jobs(db_url) == INCIDENTS)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        blocker.rollback()

    # The survivor finishes its own jobs and, once the dead engine's leases run out, its jobs.
    assert receiver.inbox.wait_for(2 * INCIDENTS, timeout=45)
    time.sleep(3)  # a doubled page would arrive within a lease or two
    expected = {(f"/step{s}", str(n + 1)): 1 for s in (1, 2) for n in range(INCIDENTS)}
    assert dict(_pages(receiver)) == expected
    keys = {r.headers["idempotency-key"] for r in receiver.requests()}
    assert len(keys) == 2 * INCIDENTS


def test_a_page_sent_by_an_engine_killed_before_recording_it_is_resent_under_the_same_key(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    db_url: str,
    receiver: HttpStub,
    start_engine: EngineStarter,
) -> None:
    _two_step_webhook_policy(api, container, org, receiver.url)
    receiver.replying.clear()
    doomed = start_engine("a", lease=2)
    post_alert(api, org, "db")
    # The page reached the receiver; the engine dies before hearing back and recording it.
    assert receiver.inbox.wait_for(1, timeout=30)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    receiver.replying.set()

    start_engine("b", lease=2)
    assert receiver.inbox.wait_for(2, timeout=30)
    first, again = receiver.requests()
    assert (first.path, again.path) == ("/step1", "/step1")
    assert first.body == again.body
    key = first.headers["idempotency-key"]
    assert len(key) == 32
    assert again.headers["idempotency-key"] == key
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:

        def recorded() -> list[tuple[object, ...]]:
            return conn.execute(
                "SELECT status, attempts, resent_unrecorded, in_flight_since IS NULL "
                "FROM delivery WHERE idempotency_key = %s",
                (key,),
            ).fetchall()

        # The receiver has the repeat; the surviving engine writes its outcome just after.
        assert _wait(lambda: recorded() == [("sent", 1, 1, True)]), recorded()
        (message,) = conn.execute(
            "SELECT message FROM incident_event WHERE kind = 'delivery'"
        ).fetchone() or ("",)
    assert message.startswith(f"Webhook sent to {receiver.url}/step1 (sent again: an engine")


def test_an_ack_committing_while_a_claimed_step_is_due_sends_no_page(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    db_url: str,
    receiver: HttpStub,
    start_engine: EngineStarter,
) -> None:
    _two_step_webhook_policy(api, container, org, receiver.url)
    start_engine("a")
    post_alert(api, org, "db")
    assert receiver.inbox.wait_for(1, timeout=30)
    # Step 1's delivery records its attempt after the webhook arrives; under load it may
    # still be running, and it would then queue on the incident too and blur the order.
    assert _wait(lambda: _open_jobs(db_url) == ["escalation.step"], timeout=60), _jobs(db_url)
    _bring_steps_forward(db_url)
    acked: list[int] = []
    with psycopg.connect(_libpq(db_url)) as blocker:
        # A slow writer holds the incident; the ack queues for it first, then the engine's
        # step 2 (every writer takes the incident's row first), so the ack commits first.
        blocker.execute("SELECT id FROM incident FOR UPDATE")
        ack = threading.Thread(
            target=lambda: acked.append(
                api.patch(
                    "/api-public/v1/incidents/ack",
                    json={"userName": "admin", "incidentNames": ["1"]},
                ).status_code
            )
        )
        ack.start()
        assert _wait(lambda: _waiting_on_locks(db_url) == 1, timeout=60)
        _make_step_jobs_due(db_url)
        assert _wait(lambda: _leased_step_jobs(db_url) == 1, timeout=60), _jobs(db_url)
        # The engine's claimed step now queues behind the ack (allow it a moment to get there:
        # if it has not, the ack commits first all the same).
        _wait(lambda: _waiting_on_locks(db_url) == 2, timeout=5)
        blocker.rollback()
        ack.join(timeout=30)
    assert acked == [200]
    assert _wait(lambda: _leased_step_jobs(db_url) == 0)
    time.sleep(1)
    assert dict(_pages(receiver)) == {("/step1", "1"): 1}


def _open_jobs(db_url: str) -> list[str]:
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        rows = conn.execute("SELECT kind FROM job WHERE done_at IS NULL ORDER BY id").fetchall()
        return [str(r[0]) for r in rows]


def _jobs(db_url: str) -> str:
    """The job table and who waits on what, for a failure's message."""
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        jobs = conn.execute(
            "SELECT id, kind, due_at, lease_until, done_at, attempts, now() FROM job ORDER BY id"
        ).fetchall()
        activity = conn.execute(
            "SELECT application_name, state, wait_event_type, left(query, 80) "
            "FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()
    return f"jobs={jobs} activity={activity}"


def _waiting_on_locks(db_url: str) -> int:
    """How many other sessions of this database wait for a row lock."""
    with psycopg.connect(_libpq(db_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
        return int(row[0]) if row else 0


def test_engines_survive_the_database_dropping_their_connections(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    db_url: str,
    receiver: HttpStub,
    start_engine: EngineStarter,
) -> None:
    _two_step_webhook_policy(api, container, org, receiver.url)
    # Leases outlast the outage, so a send whose result could not be written yet is not
    # retaken and sent again by the other engine meanwhile.
    start_engine("a", lease=8)
    start_engine("b", lease=8)
    with psycopg.connect(_libpq(db_url), autocommit=True) as admin:
        # For about three seconds, every engine connection is cut as soon as it exists,
        # while alerts keep arriving.
        deadline = time.monotonic() + 3
        n = 0
        while time.monotonic() < deadline:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (ENGINE_APP,),
            )
            if n < INCIDENTS:
                post_alert(api, org, "db", entity_id=f"host-{n}")
                n += 1
            time.sleep(0.1)
    for m in range(n, INCIDENTS):
        post_alert(api, org, "db", entity_id=f"host-{m}")
    assert receiver.inbox.wait_for(INCIDENTS, timeout=60)
    time.sleep(1)
    assert dict(_pages(receiver)) == {("/step1", str(k + 1)): 1 for k in range(INCIDENTS)}


def test_an_alert_to_serve_no_engine_wakes_a_sleeping_engine_through_notify(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    db_url: str,
    tmp_path: Path,
    receiver: HttpStub,
    start_engine: EngineStarter,
) -> None:
    """The production shape: `serve --no-engine` takes the alert, `engine` pages."""
    _two_step_webhook_policy(api, container, org, receiver.url)
    start_engine("sleepy", poll=120)
    port = free_port()
    env = {
        **os.environ,
        "OPENONCALL_DATABASE_URL": db_url,
        "OPENONCALL_LOG_LEVEL": "WARNING",
        # The sleepy engine beats only every 120 s: ready while its last beat is that old.
        "OPENONCALL_READY_ENGINE_MAX_AGE_SECONDS": "300",
    }
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "openoncall", "serve", "--no-engine", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait(lambda: _ready(base))
        r = httpx.post(
            f"{base}{ALERT_PATH}/{org.boot.rest_endpoint_key}/db",
            json={"message_type": "CRITICAL", "entity_id": "disk", "state_message": "full"},
        )
        assert r.status_code == 200, r.text
        # Without the notification the engine would sleep through its 120 s poll.
        assert receiver.inbox.wait_for(1, timeout=30)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
