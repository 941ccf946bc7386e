"""Group commit: one writer thread applies every waiting alert in one transaction.

Each caller is answered only after the transaction holding its alert has committed, so
"200 means stored" holds, while a burst of N alerts pays one commit instead of N. SQLite
has one writer anyway; on PostgreSQL each process has its own writer and the batch logic
(`ingest.py`) handles the races between processes.

Async callers (the HTTP endpoint, the SMTP listener) wait on an asyncio future of their own
event loop; after a commit the writer wakes each loop once for the whole batch (one
`call_soon_threadsafe` per loop, not one per alert: each is a syscall). Sync callers get a
`concurrent.futures.Future`.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from openoncall.alerts.ingest import Result, ingest_batch
from openoncall.alerts.routed import Submission
from openoncall.clock import Clock
from openoncall.container import Container
from openoncall.db.session import Sessions

log = logging.getLogger(__name__)

MAX_BATCH = 512
# A conflict with another process (same entity opened twice, deadlock) is retried whole.
RETRIES = 5
SWITCH_INTERVAL_SECONDS = 0.001

_Outcome = tuple["asyncio.Future[Result]", Result | None, BaseException | None]


@dataclass(frozen=True, slots=True)
class _Item:
    submission: Submission
    future: Future[Result] | None = None
    afuture: asyncio.Future[Result] | None = None
    loop: asyncio.AbstractEventLoop | None = None


def _settle(outcomes: Sequence[_Outcome]) -> None:
    """Runs on the caller's event loop: complete every future of one batch."""
    for future, result, error in outcomes:
        if future.done():  # the request went away meanwhile
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class GroupCommitWriter:
    def __init__(self, sessions: Sessions, clock: Clock, *, max_batch: int = MAX_BATCH) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def _put(self, item: _Item) -> None:
        with self._lock:
            if self._stopped:
                raise RuntimeError("the alert writer has stopped")
            if self._thread is None:
                # The writer shares the GIL with the event loop. With CPython's default 5 ms
                # switch interval, every syscall of the loop (recv, send) waits up to 5 ms
                # to get the GIL back from a busy writer; 1 ms keeps answers flowing.
                sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_SECONDS))
                self._thread = threading.Thread(target=self._run, name="alert-writer", daemon=True)
                self._thread.start()
            self._queue.put(item)

    def submit(self, submission: Submission) -> Future[Result]:
        """Queue one alert; the future's result is set after its transaction commits."""
        future: Future[Result] = Future()
        self._put(_Item(submission, future=future))
        return future

    async def store(self, submission: Submission) -> Result:
        """Queue one alert and wait (without a thread) until its transaction has committed."""
        loop = asyncio.get_running_loop()
        afuture: asyncio.Future[Result] = loop.create_future()
        self._put(_Item(submission, afuture=afuture, loop=loop))
        return await afuture

    def stop(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then end the thread."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._process(batch)
            if stop:
                return

    def _process(self, batch: list[_Item]) -> None:
        submissions = [item.submission for item in batch]
        last_error: Exception = RuntimeError("alert batch not attempted")
        for attempt in range(RETRIES):
            try:
                with self._sessions.transaction(write=True) as session:
                    results = ingest_batch(session, submissions, now=self._clock.now())
            except (IntegrityError, OperationalError) as exc:
                # Another process opened the same entity, a deadlock, a busy database: the
                # whole transaction rolled back, so the batch can simply run again.
                log.info(
                    "alert batch conflict, retrying", extra={"attempt": attempt, "error": str(exc)}
                )
                last_error = exc
                continue
            except (DBAPIError, ValueError, TypeError, KeyError) as exc:
                log.exception("alert batch failed")
                self._isolate(batch, exc)
                return
            # Committed: only now may anyone answer.
            self._complete(batch, results, None)
            return
        self._isolate(batch, last_error)

    def _complete(
        self, batch: list[_Item], results: Sequence[Result] | None, error: BaseException | None
    ) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        for index, item in enumerate(batch):
            result = results[index] if results is not None else None
            if item.future is not None:
                if error is not None:
                    item.future.set_exception(error)
                else:
                    item.future.set_result(result)
            elif item.afuture is not None and item.loop is not None:
                by_loop.setdefault(item.loop, []).append((item.afuture, result, error))
        for loop, outcomes in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, outcomes)
            except RuntimeError:  # that loop has closed: nobody is waiting any more
                log.warning("alert answered after its event loop closed")

    def _isolate(self, batch: list[_Item], exc: Exception) -> None:
        """One bad alert must not fail its neighbours: retry each alone."""
        if len(batch) == 1:
            self._complete(batch, None, exc)
            return
        for item in batch:
            self._process([item])


_CREATE_LOCK = threading.Lock()


def writer_for(container: Container) -> GroupCommitWriter:
    """The container's writer, created on first use and stopped with the app."""
    writer = container.alert_writer
    if writer is not None:
        return writer
    with _CREATE_LOCK:
        if container.alert_writer is None:
            container.alert_writer = GroupCommitWriter(container.sessions, container.clock)
            container.on_stop.append(container.alert_writer.stop)
        return container.alert_writer
