"""Wake the engine the moment a commit creates work: in-process event, NOTIFY across processes.

A transaction that inserts a job row sets `session.info["wake_engine"]` (jobs.writer.enqueue
does it for due work; the flush hook below does it for any new job, so a sleeping engine also
re-plans its timer for work due later). On PostgreSQL the same transaction emits
`NOTIFY openoncall_jobs`, which the server delivers only if and when the transaction commits;
every `openoncall engine` process LISTENs for it. After the commit, an in-process engine is
woken directly. A slow poll remains only as a safety net for lost notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from openoncall.db.session import Sessions
from openoncall.jobs.models import Job
from openoncall.jobs.writer import WAKE_FLAG

log = logging.getLogger(__name__)

CHANNEL = "openoncall_jobs"
_NOTIFIED = "engine_notified"
# Set on the engine's own transactions: they lease the work they make due themselves (and
# wake their own loop in-process), so other engines need no NOTIFY. Skipping it matters on
# PostgreSQL, where committing a transaction that sent NOTIFY takes a global lock.
ENGINE_LOCAL = "engine_local"


class Wakeup:
    """A wake-up signal that any thread may raise and one asyncio loop may wait on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._pending = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the engine's loop; call from that loop's thread."""
        with self._lock:
            self._loop = loop
            self._event = asyncio.Event()
            if self._pending:
                self._event.set()
                self._pending = False

    def notify(self) -> None:
        with self._lock:
            loop, ev = self._loop, self._event
            if loop is None or ev is None:
                self._pending = True
                return
        # RuntimeError: the loop has closed because the engine stopped.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(ev.set)

    def clear(self) -> None:
        """Forget earlier wake-ups; call on the loop before looking for work."""
        if self._event is not None:
            self._event.clear()

    async def wait(self, timeout: float) -> bool:
        """True when woken, False when the timeout passed first."""
        assert self._event is not None, "bind() first"
        try:
            await asyncio.wait_for(self._event.wait(), timeout=max(0.0, timeout))
        except TimeoutError:
            return False
        return True


def install_commit_hooks(sessions: Sessions, wakeup: Wakeup, *, postgres: bool) -> None:
    """Wake `wakeup` after every commit that added jobs; on PostgreSQL also NOTIFY in it."""
    for factory in (sessions.write, sessions.read):
        _install(factory, wakeup, postgres=postgres)


def _install(factory: sessionmaker[Session], wakeup: Wakeup, *, postgres: bool) -> None:
    def after_flush(session: Session, _ctx: Any) -> None:
        if not any(isinstance(obj, Job) for obj in session.new):
            return
        session.info[WAKE_FLAG] = True
        _notify(session)

    def before_commit(session: Session) -> None:
        # enqueue() may have set the flag without a flush yet: NOTIFY before the commit.
        if session.info.get(WAKE_FLAG):
            _notify(session)

    def _notify(session: Session) -> None:
        if not postgres or session.info.get(_NOTIFIED) or session.info.get(ENGINE_LOCAL):
            return
        # Transactional: delivered to listeners only when this transaction commits.
        session.connection().exec_driver_sql(f"NOTIFY {CHANNEL}")
        session.info[_NOTIFIED] = True

    def after_commit(session: Session) -> None:
        session.info.pop(_NOTIFIED, None)
        if session.info.pop(WAKE_FLAG, None):
            wakeup.notify()

    def after_rollback(session: Session) -> None:
        session.info.pop(_NOTIFIED, None)
        session.info.pop(WAKE_FLAG, None)

    event.listen(factory, "after_flush", after_flush)
    event.listen(factory, "before_commit", before_commit)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", lambda s, _t: after_rollback(s))


def libpq_conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    """A thread holding one LISTEN connection; reconnects when the database goes away."""

    def __init__(self, conninfo: str, wakeup: Wakeup) -> None:
        self._conninfo = conninfo
        self._wakeup = wakeup
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openoncall-listen", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    delay = 0.2
                    # Anything committed while we were not listening is found by one pass.
                    self._wakeup.notify()
                    while not self._stop.is_set():
                        for _note in conn.notifies(timeout=0.5, stop_after=1):
                            self._wakeup.notify()
            except psycopg.Error as exc:
                self.connected.clear()
                log.warning(
                    "engine LISTEN connection lost; reconnecting", extra={"error": str(exc)}
                )
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
