"""The job queue, as the engine works it: claim, lease, finish, retry (new jobs come from
`jobs/writer.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from openoncall.jobs.models import Job


@dataclass(frozen=True, slots=True)
class Claim:
    """A job taken by one worker: `token` is the attempt number the claim set.

    Whoever finishes the job checks that the row still carries this token; a worker whose lease
    ran out (and whose job another worker re-took) then finds a newer token and backs off, so
    a handler's writes happen at most once.
    """

    job_id: int
    kind: str
    token: int
    payload: dict[str, Any]
    org_id: int | None


def claim_due(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    """Lease up to `limit` due jobs: SKIP LOCKED on PostgreSQL, the one writer on SQLite.

    A job is due when not done, its due time has come and no live lease holds it; an expired
    lease (a crashed worker) makes the job due again.
    """
    rows = session.scalars(
        select(Job)
        .where(
            Job.done_at.is_(None),
            Job.due_at <= now,
            or_(Job.lease_until.is_(None), Job.lease_until <= now),
        )
        .order_by(Job.due_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [take(job, now=now, lease=lease) for job in rows]


def take(job: Job, *, now: datetime, lease: timedelta) -> Claim:
    """Lease a job row the caller holds (claimed or just created in the caller's transaction)."""
    job.attempts = (job.attempts or 0) + 1
    job.lease_until = now + lease
    return Claim(
        job_id=job.id,
        kind=job.kind,
        token=job.attempts,
        payload=dict(job.payload),
        org_id=job.org_id,
    )


def lock_claimed(session: Session, claim: Claim) -> Job | None:
    """The job row, locked, if this claim still owns it; None if done or re-taken since."""
    job = session.scalar(select(Job).where(Job.id == claim.job_id).with_for_update())
    if job is None or job.done_at is not None or job.attempts != claim.token:
        return None
    return job


def finish(job: Job, *, now: datetime) -> None:
    job.done_at = now
    job.lease_until = None


def retry_later(job: Job, *, now: datetime, error: str, delay: timedelta) -> None:
    """Give the lease back and make the job due again after `delay`."""
    job.last_error = error[:2000]
    job.due_at = now + delay
    job.lease_until = None


def give_up(job: Job, *, now: datetime, error: str) -> None:
    job.last_error = error[:2000]
    job.done_at = now
    job.lease_until = None


def next_wake_at(session: Session, *, now: datetime) -> datetime | None:
    """When the earliest pending job becomes claimable (due time or lease expiry)."""
    due = session.scalar(
        select(func.min(Job.due_at)).where(
            Job.done_at.is_(None), or_(Job.lease_until.is_(None), Job.lease_until <= now)
        )
    )
    leased = session.scalar(
        select(func.min(Job.lease_until)).where(Job.done_at.is_(None), Job.lease_until > now)
    )
    candidates = [_aware(t) for t in (due, leased) if t is not None]
    return min(candidates) if candidates else None


def _aware(value: datetime) -> datetime:
    # Aggregates bypass the UtcDateTime column type, so SQLite hands back naive UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def backoff(attempt: int, *, base_seconds: float = 2.0, cap_seconds: float = 300.0) -> timedelta:
    """Exponential backoff: 2 s, 4 s, 8 s … capped at 5 minutes."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1)))
