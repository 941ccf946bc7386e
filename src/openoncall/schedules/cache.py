"""Who-is-on-call-now answers cached per organization, valid until the next edit or handoff.

On-call now changes only at two kinds of moment: an edit (rotations, members, policies,
overrides, assignments, takes, teams, usernames) and the next handoff. So an answer is kept
with the instant of the next change (`valid_until`) and the organization's **on-call version**,
a counter in the `oncall_version` table that every such edit bumps in its own transaction.
A request reads that counter with one primary-key lookup; a stale version or a passed
`valid_until` means recompute. Processes share nothing but the database, so this is correct
with any number of server processes (ARCHITECTURE "Reads that change rarely").

The bump is not left to each writer to remember: an `after_flush` hook on every SQLAlchemy
Session sees any insert, update or delete of the watched tables, from any part of the code
(the rotations API, user deletion with replacement, team deletion, the web UI, the CLI), and
bumps the version of the organizations those rows belong to. Bulk ORM UPDATE/DELETE statements
on watched tables bump every organization (they are rare and their rows are not known).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, bindparam, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from openoncall.db.counters import bump_counter
from openoncall.overrides.models import OnCallTake, OverrideAssignment, ScheduledOverride
from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.schedules.models import OnCallVersion
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User

T = TypeVar("T")
CONCURRENT = timedelta(seconds=5)

WATCHED: tuple[Any, ...] = (
    Team,
    TeamMember,
    RotationGroup,
    RotationShift,
    RotationMember,
    EscalationPolicy,
    EscalationStep,
    EscalationEntry,
    ScheduledOverride,
    OverrideAssignment,
    OnCallTake,
)
WATCHED_TABLES = frozenset(str(cls.__tablename__) for cls in (*WATCHED, User))
# A user's other fields (password, contact details) do not change who is on call.
_USER_FIELDS = ("username", "first_name", "last_name")


def _changes_oncall(session: Session, obj: object) -> bool:
    if isinstance(obj, User):
        if obj in session.new:
            return False  # a new user is on no rotation yet
        if obj in session.deleted:
            return True
        state = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in _USER_FIELDS)
    return isinstance(obj, WATCHED)


def bump_version(connection: Connection, org_id: int | None) -> None:
    """+1 on the organization's on-call version (all organizations when `org_id` is None)."""
    table = OnCallVersion.__table__
    assert isinstance(table, Table)
    bump_counter(connection, table, org_id)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    orgs: set[int] = set()
    obj: Any
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not _changes_oncall(session, obj):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        orgs.add(obj.org_id)  # every watched table is OrgScoped
    connection = session.connection()
    for org_id in sorted(orgs):
        bump_version(connection, org_id)


def _on_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        bump_version(state.session.connection(), None)


def install_version_hooks(factory: sessionmaker[Session]) -> None:
    """Bump the on-call version on writes through this factory's sessions (wired by the
    composition root, once per factory; idempotent)."""
    if not event.contains(factory, "after_flush", _after_flush):
        event.listen(factory, "after_flush", _after_flush)
        event.listen(factory, "do_orm_execute", _on_bulk)


# Read on every cached request: a Core statement on the session's connection skips the ORM
# layer, which costs several times the query itself.
_VERSION = select(OnCallVersion.version).where(OnCallVersion.org_id == bindparam("org_id"))


def current_version(session: Session, org_id: int) -> int:
    version = session.connection().execute(_VERSION, {"org_id": org_id}).scalar()
    return int(version or 0)


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    version: int
    computed_at: datetime
    valid_until: datetime
    value: T


class OrgCache(Generic[T]):
    """One value per organization, tagged with the version and the validity window."""

    def __init__(self) -> None:
        self._entries: dict[int, _Entry[T]] = {}
        self._lock = threading.Lock()
        self._computing: dict[int, threading.Lock] = {}

    def computing(self, org_id: int) -> threading.Lock:
        """Held while one request recomputes the organization's answer, so that the requests
        arriving meanwhile (after a handoff or an edit) wait for it instead of all computing."""
        with self._lock:
            return self._computing.setdefault(org_id, threading.Lock())

    def get(self, org_id: int, version: int, now: datetime) -> T | None:
        with self._lock:
            entry = self._entries.get(org_id)
        if entry is None or entry.version != version:
            return None
        # A request's `now` may precede `computed_at` by the moments another request took to
        # compute it (they raced and the other won); for requests that close together either
        # answer is right. Further back means a clock set backwards (tests, demos): recompute.
        if not (entry.computed_at - CONCURRENT <= now < entry.valid_until):
            return None
        return entry.value

    def put(
        self, org_id: int, version: int, now: datetime, valid_until: datetime, value: T
    ) -> None:
        with self._lock:
            self._entries[org_id] = _Entry(version, now, valid_until, value)
