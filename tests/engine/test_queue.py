"""The job queue: claims, leases, lost claims, retries, and waking on commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.engine import queue
from openoncall.engine.runner import install_wakeup
from openoncall.engine.worker import Engine, EngineOptions, Runtime, TxContext
from openoncall.jobs import writer
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job
from tests.conftest import Org

LEASE = timedelta(seconds=30)
# Any kind will do: the engines here run only the tests' own handler for it.
KIND = JobKind.PAGE_STEP


def _enqueue(container: Container, org: Org, key: str, *, in_minutes: float = 0) -> None:
    now = container.clock.now()
    with container.sessions.transaction() as session:
        writer.enqueue(
            session,
            kind=KIND,
            payload={"key": key},
            due_at=now + timedelta(minutes=in_minutes),
            now=now,
            org_id=org.org_id,
            dedupe_key=f"test:{key}",
        )


def _claim(container: Container, limit: int = 10) -> list[queue.Claim]:
    with container.sessions.transaction() as session:
        return queue.claim_due(session, now=container.clock.now(), limit=limit, lease=LEASE)


def test_a_claimed_job_is_not_claimed_again_until_its_lease_runs_out(
    container: Container, org: Org, clock: FrozenClock
) -> None:
    _enqueue(container, org, "a")
    _enqueue(container, org, "a")  # same dedupe key: no second job
    _enqueue(container, org, "later", in_minutes=5)
    (first,) = _claim(container)
    assert (first.kind, first.payload, first.token) == (KIND, {"key": "a"}, 1)
    assert _claim(container) == []
    clock.advance(LEASE)
    (again,) = _claim(container)
    assert (again.job_id, again.token) == (first.job_id, 2)
    # The first worker's claim is lost: it may not finish the job any more.
    with container.sessions.transaction() as session:
        assert queue.lock_claimed(session, first) is None
        job = queue.lock_claimed(session, again)
        assert job is not None
        queue.finish(job, now=clock.now())
    clock.advance(minutes=5)
    assert [c.payload for c in _claim(container)] == [{"key": "later"}]


def test_next_wake_is_the_earliest_due_time_or_lease_expiry(
    container: Container, org: Org, clock: FrozenClock
) -> None:
    with container.sessions.transaction(write=False) as session:
        assert queue.next_wake_at(session, now=clock.now()) is None
    _enqueue(container, org, "soon", in_minutes=2)
    _enqueue(container, org, "now")
    _claim(container, limit=1)
    with container.sessions.transaction(write=False) as session:
        assert queue.next_wake_at(session, now=clock.now()) == clock.now() + LEASE


@pytest.fixture
def counting(container: Container) -> Iterator[tuple[Engine, list[str]]]:
    ran: list[str] = []

    async def handler(rt: Runtime, claim: queue.Claim) -> None:
        def work(_session: object, _ctx: TxContext) -> None:
            if claim.payload["key"].startswith("fail") and claim.token < 3:
                raise RuntimeError("transient")
            ran.append(claim.payload["key"])

        await rt.in_tx(claim, work)

    engine = Engine(
        container.sessions,
        container.clock,
        {KIND: handler},
        wakeup=install_wakeup(container),
        options=EngineOptions(poll_seconds=30, listen=False),
    )
    yield engine, ran
    engine.stop()


def test_a_failing_handler_is_retried_with_backoff_and_its_error_kept(
    container: Container, org: Org, clock: FrozenClock, counting: tuple[Engine, list[str]]
) -> None:
    engine, ran = counting
    _enqueue(container, org, "fail-twice")
    engine.run_once()
    with container.sessions.transaction(write=False) as session:
        job = session.scalars(select(Job)).one()
        assert (job.attempts, job.last_error, job.done_at) == (1, "RuntimeError: transient", None)
        assert job.due_at == clock.now() + timedelta(seconds=2)
    clock.advance(seconds=2)
    engine.run_once()
    clock.advance(seconds=4)
    engine.run_once()
    assert ran == ["fail-twice"]
    with container.sessions.transaction(write=False) as session:
        job = session.scalars(select(Job)).one()
        assert (job.attempts, job.done_at) == (3, clock.now())


def test_a_commit_that_creates_due_work_wakes_a_sleeping_engine(
    container: Container, org: Org, counting: tuple[Engine, list[str]]
) -> None:
    engine, ran = counting
    done = threading.Event()
    original = engine.handlers[KIND]

    async def signal(rt: Runtime, claim: queue.Claim) -> None:
        await original(rt, claim)
        done.set()

    engine.handlers[KIND] = signal
    engine.start()
    # The poll is 30 s: only the wake-up on commit can run this within the wait below.
    _enqueue(container, org, "woken")
    assert done.wait(10)
    assert ran == ["woken"]
