"""X-VO-Api-Id / X-VO-Api-Key authentication: hashed keys, constant-time compare, read-only.

Key lookups are cached in the process (ARCHITECTURE "Hot paths"): a hit saves a join query
and its ORM work on every API call. A cached entry is dropped
- at once, in this process, when a transaction that changed or deleted an `api_key` or
  `organization` row through the ORM commits (revocation by the API, the CLI or the web UI);
- after CACHE_TTL_SECONDS in any case, which bounds how long a key revoked through *another*
  process (N x serve in production) keeps working there.
Only successful lookups are cached, so a new key works at once everywhere.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from openoncall.errors import Forbidden, Unauthorized
from openoncall.ids import hash_secret
from openoncall.orgs.models import ApiKey, Organization

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CACHE_TTL_SECONDS = 5.0
_CACHE_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the organization and the key it used."""

    org_id: int
    org_slug: str
    # The organization's public API ID: unique across installations, so it keys shared state
    # such as rate-limit counts in a Redis that several databases' servers may use.
    api_id: str
    api_key_id: int
    is_read_only: bool
    created_by_user_id: int | None
    # Who the audit trail names when it is no key: `cli` for the operator commands.
    actor: str | None = None


class _KeyCache:
    """(database, API ID, key hash) → (Caller, expiry on the monotonic clock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, str], tuple[Caller, float]] = {}

    def get(self, key: tuple[str, str, str]) -> Caller | None:
        entry = self._entries.get(key)
        # monotonic measures the entry's age; it is not a reading of the wall clock.
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: tuple[str, str, str], caller: Caller) -> None:
        with self._lock:
            if len(self._entries) >= _CACHE_MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (caller, time.monotonic() + CACHE_TTL_SECONDS)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _KeyCache()


def clear_key_cache() -> None:
    _cache.clear()


_CHANGED = "openoncall.api_keys_changed"


def install_cache_hooks(factory: sessionmaker[Session]) -> None:
    """Drop the cached keys when a transaction of this factory's sessions that changed keys
    or organizations commits (wired by the composition root, once per factory)."""
    if not event.contains(factory, "after_flush", _note_key_changes):
        event.listen(factory, "after_flush", _note_key_changes)
        event.listen(factory, "after_commit", _drop_cached_keys)
        event.listen(factory, "after_rollback", _forget_key_changes)


def _note_key_changes(session: Session, _flush: UOWTransaction) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ApiKey | Organization):
            session.info[_CHANGED] = True
            return


def _drop_cached_keys(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _cache.clear()


def _forget_key_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _database(session: Session) -> str:
    bind: Any = session.get_bind()
    return str(id(bind.engine if hasattr(bind, "engine") else bind))


def _required(api_id: str | None, api_key: str | None) -> tuple[str, str]:
    if not api_id or not api_key:
        missing = "X-VO-Api-Id" if not api_id else "X-VO-Api-Key"
        raise Unauthorized(f"Authentication parameters missing: {missing}", field=missing)
    return api_id, api_key


def _allowed(caller: Caller, method: str) -> Caller:
    if caller.is_read_only and method.upper() not in SAFE_METHODS:
        raise Forbidden("This API key is read-only: only GET requests are allowed")
    return caller


def cached_caller(
    engine: Engine, api_id: str | None, api_key: str | None, method: str
) -> Caller | None:
    """The caller from the cache alone (no database): None when the key is not cached.

    Raises like `authenticate` for missing headers and read-only keys on writes."""
    api_id, api_key = _required(api_id, api_key)
    caller = _cache.get((str(id(engine)), api_id, hash_secret(api_key)))
    return None if caller is None else _allowed(caller, method)


def authenticate(session: Session, api_id: str | None, api_key: str | None, method: str) -> Caller:
    """Missing headers → 401; wrong or revoked → 403; read-only key on a write → 403."""
    api_id, api_key = _required(api_id, api_key)
    key_hash = hash_secret(api_key)
    cache_key = (_database(session), api_id, key_hash)
    caller = _cache.get(cache_key)
    if caller is None:
        caller = _lookup(session, api_id, key_hash)
        _cache.put(cache_key, caller)
    return _allowed(caller, method)


def _lookup(session: Session, api_id: str, key_hash: str) -> Caller:
    # Columns, not entities: no ORM objects to build on the hottest query of the API.
    row = session.execute(
        select(
            ApiKey.id,
            ApiKey.org_id,
            ApiKey.key_hash,
            ApiKey.is_read_only,
            ApiKey.created_by_user_id,
            Organization.slug,
        )
        .join(Organization, Organization.id == ApiKey.org_id)
        .where(
            Organization.api_id == api_id,
            ApiKey.key_hash == key_hash,
            ApiKey.revoked_at.is_(None),
        )
    ).first()
    if row is None or not hmac.compare_digest(row.key_hash, key_hash):
        raise Forbidden("Authentication failed")
    return Caller(
        org_id=row.org_id,
        org_slug=row.slug,
        api_id=api_id,
        api_key_id=row.id,
        is_read_only=row.is_read_only,
        created_by_user_id=row.created_by_user_id,
    )
