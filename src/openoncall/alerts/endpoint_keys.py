"""Whether a REST endpoint key belongs to an organization: asked before an alert's body is
read, so an unknown key is answered 404 without reading or parsing what it sent.

Known keys are cached in the process for a few seconds (the hot path sees thousands of
alerts a second with a handful of keys); unknown ones are asked every time, so a new key
works at once. The cache only lets a body be read: storing the alert looks the key up again
(`alerts/ingest.py`), so a key rotated away meanwhile is still refused there.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from openoncall.container import Container
from openoncall.orgs.models import Organization

TTL_SECONDS = 5.0
_MAX_ENTRIES = 10_000


class _Known:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[tuple[int, str], float] = {}

    def has(self, key: tuple[int, str]) -> bool:
        # monotonic measures the entry's age; it is not a reading of the wall clock.
        return self._until.get(key, 0.0) > time.monotonic()

    def add(self, key: tuple[int, str]) -> None:
        with self._lock:
            if len(self._until) >= _MAX_ENTRIES:
                self._until.clear()
            self._until[key] = time.monotonic() + TTL_SECONDS


_known = _Known()


async def rest_key_known(container: Container, key_hash: str) -> bool:
    cache_key = (id(container), key_hash)
    if _known.has(cache_key):
        return True

    def lookup() -> bool:
        with container.sessions.transaction(write=False) as session:
            found = session.scalar(
                select(Organization.id).where(Organization.rest_key_hash == key_hash).limit(1)
            )
        return found is not None

    if not await run_in_threadpool(lookup):
        return False
    _known.add(cache_key)
    return True
