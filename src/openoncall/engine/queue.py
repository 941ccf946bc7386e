"""enqueue(): write a job row in the caller's transaction; the engine wakes after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.engine.jobs import Job

# Set on a session whose transaction created due work; the engine's after-commit hook reads it.
WAKE_FLAG = "wake_engine"


def enqueue(
    session: Session,
    *,
    kind: str,
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
