"""The engine watching itself: a heartbeat row for /readyz and /metrics, and a dead-man call.

`tick()` runs on every engine cycle and is cheap: the heartbeat is written at most every
`OPENONCALL_ENGINE_HEARTBEAT_SECONDS`, the dead-man URL called at most every
`OPENONCALL_DEADMAN_INTERVAL_SECONDS` (in the background: a slow monitor never holds up
paging). An outside monitor (healthchecks.io, a cron job, Alertmanager's dead man's switch)
pages when those calls stop, which is when OpenOnCall cannot page anyone itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, or_, select

from openoncall.clock import Clock
from openoncall.db.session import Sessions
from openoncall.engine import heartbeat
from openoncall.jobs.models import Job
from openoncall.notify.egress import (
    EgressPolicy,
    GuardedBackend,
    GuardedTransport,
    Resolver,
    system_resolve,
)
from openoncall.observe import metrics

log = logging.getLogger(__name__)

T = TypeVar("T")
InThread = Callable[[Callable[[], T]], Awaitable[T]]


def oldest_due_age(sessions: Sessions, now: datetime) -> float:
    """Seconds the most overdue claimable job has waited (0 when none is due)."""
    with sessions.transaction(write=False) as session:
        due = session.scalar(
            select(func.min(Job.due_at)).where(
                Job.done_at.is_(None),
                Job.due_at <= now,
                or_(Job.lease_until.is_(None), Job.lease_until <= now),
            )
        )
    if due is None:
        return 0.0
    return max(0.0, (now - heartbeat.aware(due)).total_seconds())


class Deadman:
    """Calls one URL at most every `interval` seconds, through the egress guard."""

    def __init__(
        self,
        url: str,
        *,
        method: str,
        interval: float,
        policy: EgressPolicy,
        resolver: Resolver = system_resolve,
    ) -> None:
        self._url = url
        self._method = method
        self._interval = interval
        # Only the host is ever logged: monitor URLs carry their check's secret.
        self._where = urlsplit(url).hostname or "?"
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(GuardedBackend(policy, resolver)),
            timeout=10.0,
            follow_redirects=False,
        )
        self._last = -math.inf
        self._task: asyncio.Task[None] | None = None

    def maybe_call(self) -> None:
        started = time.monotonic()
        if started - self._last < self._interval:
            return
        if self._task is not None and not self._task.done():
            return  # the previous call is still waiting for the monitor
        self._last = started
        self._task = asyncio.get_running_loop().create_task(self._call())

    async def _call(self) -> None:
        try:
            if self._method == "POST":
                response = await self._client.post(self._url, json={"status": "ok"})
            else:
                response = await self._client.get(self._url)
        except Exception as exc:  # the monitor's trouble must never stop the engine
            metrics.DEADMAN_CALLS.labels("error").inc()
            log.warning(
                "dead-man call failed: %s",
                type(exc).__name__,
                extra={"event": "deadman.error", "host": self._where},
            )
            return
        ok = response.status_code < 400
        metrics.DEADMAN_CALLS.labels("ok" if ok else "error").inc()
        if not ok:
            log.warning(
                "dead-man call answered %s",
                response.status_code,
                extra={"event": "deadman.error", "host": self._where},
            )

    async def aclose(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, timeout=5)
        await self._client.aclose()


class Watchdog:
    """One engine's heartbeat (and optional dead-man call), driven by the engine loop."""

    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        *,
        heartbeat_seconds: float,
        deadman: Deadman | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.heartbeat_seconds = heartbeat_seconds
        self.deadman = deadman
        self.engine_id = heartbeat.new_engine_id()
        self.started_at = clock.now()
        self._last_beat = -math.inf

    def beat_now(self) -> None:
        now = self.clock.now()
        lag = oldest_due_age(self.sessions, now)
        with self.sessions.transaction() as session:
            heartbeat.beat(session, self.engine_id, now=now, started_at=self.started_at, lag=lag)

    async def tick(self, in_thread: InThread[None]) -> None:
        metrics.ENGINE_CYCLES.inc()
        if self.deadman is not None:
            self.deadman.maybe_call()
        started = time.monotonic()
        if started - self._last_beat < self.heartbeat_seconds:
            return
        self._last_beat = started
        try:
            await in_thread(self.beat_now)
        except Exception:  # a missed beat shows on /readyz; the engine keeps paging
            log.warning("writing the engine heartbeat failed", exc_info=True)

    async def aclose(self) -> None:
        if self.deadman is not None:
            await self.deadman.aclose()
