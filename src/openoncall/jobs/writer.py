"""The one writer of new job rows, in the caller's transaction: a job written with the work
that needs it is the promise to do it (the transactional outbox).

`enqueue` looks up the dedupe key first; `add_fresh` skips that for work whose id was just
created (the unique key still guards it); `insert_many` writes a batch with one driver-level
statement, for the alert hot path. A job due now sets `WAKE_FLAG`, which the engine's
after-commit hook reads to wake at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.db.driver import DriverStatements
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job

# Set on a session whose transaction created due work; the engine's after-commit hook reads it.
WAKE_FLAG = "wake_engine"


def enqueue(
    session: Session,
    *,
    kind: JobKind,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    org_id: int | None = None,
    dedupe_key: str | None = None,
) -> Job | None:
    """Add a job unless one with the same dedupe key exists; returns the new job or None."""
    if dedupe_key is not None:
        existing = session.scalar(select(Job.id).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return None
    return add_fresh(
        session,
        kind=kind,
        payload=payload,
        due_at=due_at,
        now=now,
        org_id=org_id,
        dedupe_key=dedupe_key,
    )


def add_fresh(
    session: Session,
    *,
    kind: JobKind,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    org_id: int | None,
    dedupe_key: str | None,
) -> Job:
    """Add a job for work created in this transaction: no dedupe lookup can find one yet."""
    job = Job(
        org_id=org_id,
        kind=kind,
        payload=payload,
        due_at=due_at,
        dedupe_key=dedupe_key,
        attempts=0,
        created_at=now,
    )
    session.add(job)
    if due_at <= now:
        session.info[WAKE_FLAG] = True
    return job


@dataclass(frozen=True, slots=True)
class NewJob:
    org_id: int | None
    kind: JobKind
    payload: dict[str, Any]
    due_at: datetime
    dedupe_key: str | None


_COLUMNS = ("org_id", "kind", "payload", "due_at", "dedupe_key", "attempts", "created_at")


def insert_many(session: Session, jobs: Sequence[NewJob], *, now: datetime) -> None:
    """Write a batch of jobs for work created in this transaction, in one statement."""
    if not jobs:
        return
    w = DriverStatements(session.connection())
    w.many(
        w.insert_sql("job", _COLUMNS, json_columns=("payload",)),
        [
            (
                j.org_id,
                str(j.kind),
                json.dumps(j.payload),
                w.instant(j.due_at),
                j.dedupe_key,
                0,
                w.instant(now),
            )
            for j in jobs
        ],
    )
    if any(j.due_at <= now for j in jobs):
        session.info[WAKE_FLAG] = True
