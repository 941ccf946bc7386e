"""The organization's full user lists, encoded once and kept until its users change.

Listing 1,000 users costs milliseconds of row decoding and encoding (and on SQLite the
driver gives up the GIL on every row, so concurrent listings queue behind each other); the
answer changes only when a user is added, changed or removed. So the encoded body is kept
with the organization's **user-list version** (`user_list_version`), which an `after_flush`
hook bumps in the transaction of any insert, update or delete of a `user` row, from any part
of the code. A request reads the version (one primary-key lookup) *before* the users: what it
then reads is at least that new, so a body is never kept under a version newer than itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Table, bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from openoncall.db.counters import bump_counter
from openoncall.users.models import User, UserListVersion

_TABLE = UserListVersion.__table__
assert isinstance(_TABLE, Table)
_COUNTER: Table = _TABLE
_VERSION = select(UserListVersion.version).where(UserListVersion.org_id == bindparam("org_id"))


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    orgs = {
        obj.org_id
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, User) and (obj not in session.dirty or session.is_modified(obj))
    }
    for org_id in sorted(orgs):
        bump_counter(session.connection(), _COUNTER, org_id)


def _on_bulk(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) == User.__tablename__:
            bump_counter(state.session.connection(), _COUNTER, None)


def install_version_hooks(factory: sessionmaker[Session]) -> None:
    """Bump the user-list counter on user writes through this factory's sessions (wired by
    the composition root, once per factory; idempotent)."""
    if not event.contains(factory, "after_flush", _after_flush):
        event.listen(factory, "after_flush", _after_flush)
        event.listen(factory, "do_orm_execute", _on_bulk)


def current_version(session: Session, org_id: int) -> int:
    version = session.connection().execute(_VERSION, {"org_id": org_id}).scalar()
    return int(version or 0)


class UserListCache:
    """(organization, variant) → (version, encoded body); one per app (container)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str], tuple[int, bytes]] = {}
        self._computing: dict[tuple[int, str], threading.Lock] = {}

    def body(
        self, session: Session, org_id: int, variant: str, encode: Callable[[], bytes]
    ) -> bytes:
        """The cached body when current, else `encode()` (read in this same session)."""
        key = (org_id, variant)
        version = current_version(session, org_id)
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        # One request encodes; those arriving meanwhile wait for its body instead of each
        # building the whole list beside it (memory: 10,000 users are megabytes of objects).
        with computing:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                return entry[1]
            body = encode()
            with self._lock:
                kept = self._entries.get(key)
                if kept is None or kept[0] <= version:
                    self._entries[key] = (version, body)
        return body
