"""The engine loop: claim due jobs, run their handlers, retry with backoff, stop gracefully.

One asyncio loop in one thread drives everything: database work runs on a small thread pool
(sync SQLAlchemy, one transaction per step), channel sends run as coroutines so many pages
leave at once and pooled connections (SMTP, HTTP) are reused. `start()`/`stop()` run it in
the background (serve, `openoncall engine`); `run_once()` drains every due job and returns,
for tests that move a FrozenClock through timeouts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from openoncall.clock import Clock
from openoncall.db.session import Sessions
from openoncall.engine import queue
from openoncall.engine.wakeup import ENGINE_LOCAL, PgListener, Wakeup
from openoncall.engine.watchdog import Watchdog
from openoncall.jobs.models import Job

log = logging.getLogger(__name__)

T = TypeVar("T")


Handler = Callable[["Runtime", queue.Claim], Awaitable[None]]
# A claimed job and, optionally, the handler to continue it with instead of its kind's.
FollowUp = tuple[queue.Claim, Handler | None]


@dataclass
class TxContext:
    """What a handler's transaction may ask of the engine besides writing rows."""

    now: datetime
    lease: timedelta
    # Jobs created in this transaction and due now: leased here, run right after commit,
    # so a page does not wait for another claim round trip. A follow-up may name the
    # coroutine that continues it (a delivery already prepared in this transaction).
    follow_ups: list[FollowUp] = field(default_factory=list)
    # Set to make the job due again later instead of done (e.g. a throttled contact).
    retry_at: datetime | None = None
    # Whether the job is done when the transaction commits (default: the in_tx argument).
    finish: bool | None = None

    def run_soon(self, jobs: Iterable[Job | None], session: Session) -> None:
        fresh = [j for j in jobs if j is not None and j.due_at <= self.now]
        if not fresh:
            return
        session.flush()
        for job in fresh:
            self.follow_ups.append((queue.take(job, now=self.now, lease=self.lease), None))

    def lease_now(self, job: Job) -> queue.Claim:
        """Lease a job created in this transaction; the caller continues it after commit."""
        return queue.take(job, now=self.now, lease=self.lease)


class LostClaim(Exception):
    """The job was finished or re-taken by another worker since this one claimed it."""


class Runtime:
    """The services handlers use: transactions bound to a claim, the clock, the executor."""

    def __init__(
        self, sessions: Sessions, clock: Clock, executor: ThreadPoolExecutor, lease: timedelta
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.executor = executor
        self.lease = lease
        self._follow_ups: list[FollowUp] = []

    async def in_thread(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)

    async def in_tx(
        self, claim: queue.Claim, fn: Callable[[Session, TxContext], T], *, finish: bool = True
    ) -> T:
        """Run `fn` in one transaction that also holds the job row (and, if `finish`, ends it).

        Raises LostClaim when the claim no longer owns the job: the handler must then do nothing.
        """

        def work() -> T:
            with self.sessions.transaction() as session:
                session.info[ENGINE_LOCAL] = True
                job = queue.lock_claimed(session, claim)
                if job is None:
                    raise LostClaim(claim.job_id)
                ctx = TxContext(now=self.clock.now(), lease=self.lease)
                result = fn(session, ctx)
                if ctx.retry_at is not None:
                    job.due_at = ctx.retry_at
                    job.lease_until = None
                    # A deliberate wait is not a failed attempt.
                    job.attempts = max(0, job.attempts - 1)
                elif finish if ctx.finish is None else ctx.finish:
                    queue.finish(job, now=ctx.now)
            self._follow_ups.extend(ctx.follow_ups)
            return result

        return await self.in_thread(work)

    def take_follow_ups(self) -> list[FollowUp]:
        out, self._follow_ups = self._follow_ups, []
        return out


@dataclass(frozen=True)
class EngineOptions:
    concurrency: int = 64
    batch: int = 64
    lease: timedelta = timedelta(seconds=60)
    poll_seconds: float = 5.0
    # Escalation and paging jobs keep retrying (capped backoff); deliveries fall back sooner.
    max_attempts: int = 20
    listen: bool = True
    # Threads for database work. SQLite has one writer: with several threads they would
    # queue in SQLite's busy handler, which sleeps in coarse steps; one thread queues fairly.
    db_threads: int = 8


class Engine:
    """Claims and runs jobs; see the module docstring."""

    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        handlers: dict[str, Handler],
        *,
        wakeup: Wakeup,
        options: EngineOptions | None = None,
        pg_conninfo: str | None = None,
        on_close: Callable[[], Coroutine[Any, Any, None]] | None = None,
        watchdog: Watchdog | None = None,
    ) -> None:
        self.options = options or EngineOptions()
        self.watchdog = watchdog
        self.sessions = sessions
        self.clock = clock
        self.handlers = handlers
        self.wakeup = wakeup
        self._executor = ThreadPoolExecutor(
            max_workers=self.options.db_threads, thread_name_prefix="openoncall-job"
        )
        self.runtime = Runtime(sessions, clock, self._executor, self.options.lease)
        self._on_close = on_close
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._main: concurrent.futures.Future[None] | None = None
        self._stopping = False
        self._inflight: set[asyncio.Task[None]] = set()
        self._saturated = False
        self._listener = (
            PgListener(pg_conninfo, wakeup) if pg_conninfo and self.options.listen else None
        )
        self._loop_lock = threading.Lock()

    # ---- lifecycle -------------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._loop is not None:
                return self._loop
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                self.wakeup.bind(loop)
                ready.set()
                loop.run_forever()

            self._thread = threading.Thread(target=run, name="openoncall-engine", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
            return loop

    def start(self) -> None:
        """Run in the background until stop()."""
        loop = self._ensure_loop()
        self._stopping = False
        if self._listener is not None:
            self._listener.start()
        self._main = asyncio.run_coroutine_threadsafe(self._run_forever(), loop)
        log.info("engine started")

    def stop(self, timeout: float = 30.0) -> None:
        """Stop claiming, let running jobs finish (up to `timeout`), close channels."""
        self._stopping = True
        self.wakeup.notify()
        if self._listener is not None:
            self._listener.stop()
        loop = self._loop
        if loop is None:
            self._executor.shutdown(wait=True)
            return
        if self._main is not None:
            try:
                self._main.result(timeout=timeout)
            except Exception:
                log.exception("engine loop ended with an error")
        if self.watchdog is not None:
            try:
                asyncio.run_coroutine_threadsafe(self.watchdog.aclose(), loop).result(timeout=10)
            except Exception:
                log.exception("closing the dead-man client failed")
        if self._on_close is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._on_close(), loop).result(timeout=10)
            except Exception:
                log.exception("closing channels failed")
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        loop.close()
        self._loop = None
        self._executor.shutdown(wait=True)
        log.info("engine stopped")

    def run_once(self, *, max_rounds: int = 1000) -> int:
        """Run every job due now (and the work they make due now); return how many ran."""
        loop = self._ensure_loop()
        return asyncio.run_coroutine_threadsafe(self._drain(max_rounds), loop).result()

    # ---- the loop --------------------------------------------------------------------------
    def _claim(self, limit: int) -> list[queue.Claim]:
        with self.sessions.transaction() as session:
            return queue.claim_due(
                session, now=self.clock.now(), limit=limit, lease=self.options.lease
            )

    def _next_wake(self) -> float:
        with self.sessions.transaction(write=False) as session:
            now = self.clock.now()
            at = queue.next_wake_at(session, now=now)
        if at is None:
            return self.options.poll_seconds
        return min(self.options.poll_seconds, max(0.0, (at - now).total_seconds()))

    async def _run_forever(self) -> None:
        failures = 0
        while not self._stopping:
            self.wakeup.clear()
            if self.watchdog is not None:
                await self.watchdog.tick(self.runtime.in_thread)
            room = self.options.concurrency - len(self._inflight)
            self._saturated = room <= 0
            if self._saturated:
                await self.wakeup.wait(self.options.poll_seconds)
                continue
            try:
                # A cheap read first: wake-ups often find nothing new (the engine's own
                # commits wake it, and their due work is already taken), and on SQLite a
                # claim takes the write lock.
                wait_seconds = await self.runtime.in_thread(self._next_wake)
                if wait_seconds > 0:
                    failures = 0
                    if self.watchdog is not None:
                        # Idle or not, the heartbeat must keep its pace.
                        wait_seconds = min(wait_seconds, self.watchdog.heartbeat_seconds)
                    await self.wakeup.wait(wait_seconds)
                    continue
                limit = min(room, self.options.batch)
                claims = await self.runtime.in_thread(partial(self._claim, limit))
                failures = 0
            except Exception:
                failures += 1
                delay = min(5.0, 0.1 * 2**failures)
                log.warning("claiming jobs failed; retrying in %.1fs", delay, exc_info=True)
                await self.wakeup.wait(delay)
                continue
            for claim in claims:
                self._spawn((claim, None))
            if not claims:
                # Due but claimed by another engine whose claim has not committed yet.
                await self.wakeup.wait(0.05)
        if self._inflight:
            await asyncio.wait(set(self._inflight))

    def _spawn(self, follow: FollowUp) -> None:
        task = asyncio.get_running_loop().create_task(self._execute(*follow))
        self._inflight.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._inflight.discard(t)
            if self._saturated:
                # Room for more work: look again.
                self.wakeup.notify()

        task.add_done_callback(done)

    async def _execute(self, claim: queue.Claim, handler: Handler | None) -> None:
        await self._run_handler(claim, handler)
        for follow in self.runtime.take_follow_ups():
            self._spawn(follow)

    async def _drain(self, max_rounds: int) -> int:
        ran = 0
        if self.watchdog is not None:
            await self.watchdog.tick(self.runtime.in_thread)
        for _ in range(max_rounds):
            claims = await self.runtime.in_thread(lambda: self._claim(self.options.batch))
            if not claims:
                break
            pending: list[FollowUp] = [(c, None) for c in claims]
            while pending:
                await asyncio.gather(*(self._run_handler(c, h) for c, h in pending))
                ran += len(pending)
                pending = self.runtime.take_follow_ups()
        return ran

    async def _run_handler(self, claim: queue.Claim, handler: Handler | None = None) -> None:
        handler = handler or self.handlers.get(claim.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {claim.kind!r}")
            await handler(self.runtime, claim)
        except LostClaim:
            log.info("job re-taken by another worker", extra={"job_id": claim.job_id})
        except Exception as exc:
            log.exception("job failed", extra={"job_id": claim.job_id, "kind": claim.kind})
            failure = exc
            try:
                await self.runtime.in_thread(lambda: self._record_failure(claim, failure))
            except Exception:
                # The lease runs out and the job is retried then.
                log.exception("recording a job failure failed", extra={"job_id": claim.job_id})

    def _record_failure(self, claim: queue.Claim, exc: BaseException) -> None:
        with self.sessions.transaction() as session:
            job = queue.lock_claimed(session, claim)
            if job is None:
                return
            now = self.clock.now()
            error = f"{type(exc).__name__}: {exc}"
            if job.attempts >= self.options.max_attempts:
                queue.give_up(job, now=now, error=error)
                log.error("job gave up", extra={"job_id": job.id, "kind": job.kind})
            else:
                queue.retry_later(job, now=now, error=error, delay=queue.backoff(job.attempts))
