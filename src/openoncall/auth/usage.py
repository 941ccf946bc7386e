"""Per-key call tallies, counted in memory and flushed in batches (no write per request)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openoncall.db.session import Sessions
from openoncall.orgs.models import ApiKey, ApiKeyUsage

log = logging.getLogger(__name__)


class UsageTally:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[tuple[int, date]] = Counter()
        self._last_used: dict[int, datetime] = {}

    def record(self, api_key_id: int, at: datetime) -> None:
        with self._lock:
            self._calls[(api_key_id, at.date())] += 1
            self._last_used[api_key_id] = at

    def take(self) -> tuple[Counter[tuple[int, date]], dict[int, datetime]]:
        with self._lock:
            calls, last = self._calls, self._last_used
            self._calls, self._last_used = Counter(), {}
        return calls, last

    def flush(self, sessions: Sessions) -> int:
        """Write the pending counts in one transaction; on failure keep them for the next try."""
        calls, last = self.take()
        if not calls:
            return 0
        try:
            with sessions.transaction() as session:
                _write(session, calls, last)
        except Exception:
            self.restore(calls, last)
            raise
        return sum(calls.values())

    def restore(self, calls: Counter[tuple[int, date]], last: dict[int, datetime]) -> None:
        with self._lock:
            self._calls.update(calls)
            for key_id, at in last.items():
                self._last_used.setdefault(key_id, at)


def _write(session: Session, calls: Counter[tuple[int, date]], last: dict[int, datetime]) -> None:
    is_pg = session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if is_pg else sqlite.insert
    totals: Counter[int] = Counter()
    for (key_id, day), n in sorted(calls.items()):
        totals[key_id] += n
        stmt = insert(ApiKeyUsage).values(api_key_id=key_id, day_on=day, calls=n)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[ApiKeyUsage.api_key_id, ApiKeyUsage.day_on],
                set_={"calls": ApiKeyUsage.calls + stmt.excluded.calls},
            )
        )
    for key_id, n in sorted(totals.items()):
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(total_calls=ApiKey.total_calls + n, last_used_at=last[key_id])
        )


class UsageFlusher:
    """A background thread that flushes the tally every few seconds and once at stop."""

    def __init__(self, tally: UsageTally, sessions: Sessions, interval_seconds: float) -> None:
        self._tally = tally
        self._sessions = sessions
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="usage-flusher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._flush()

    def _flush(self) -> None:
        try:
            self._tally.flush(self._sessions)
        except Exception:
            log.exception("flushing API key usage failed; will retry")
