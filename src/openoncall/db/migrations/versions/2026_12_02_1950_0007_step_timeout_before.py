"""step_timeout_before: re-time running escalations to the vendor's meaning of `timeout`

A step's `timeout` is the wait before that step (since the previous step ran). Stored policy
steps were always written with that meaning (the API passes the vendor's value through, and
the web form writes 0 for step 1 and the wait on step 2), so no policy row changes. Only the
due time of escalations already running was computed with the wait *after* a step: re-time
each one from its last step's run (due - timeout of the step before) plus the wait of the step
that comes next, and move its pending job with it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:50:00
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from openoncall.db.base import UtcDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

progress = sa.table(
    "escalation_progress",
    sa.column("id", sa.Integer()),
    sa.column("snapshot", sa.JSON()),
    sa.column("next_step_index", sa.Integer()),
    sa.column("next_due_at", UtcDateTime()),
    sa.column("version", sa.Integer()),
    sa.column("is_done", sa.Boolean()),
)
job = sa.table(
    "job",
    sa.column("dedupe_key", sa.String()),
    sa.column("due_at", UtcDateTime()),
    sa.column("done_at", UtcDateTime()),
)


def _retime(old_reading: bool) -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            progress.c.id,
            progress.c.snapshot,
            progress.c.next_step_index,
            progress.c.next_due_at,
            progress.c.version,
        ).where(progress.c.is_done.is_(False), progress.c.next_due_at.is_not(None))
    ).all()
    for row_id, snapshot, index, due, version in rows:
        steps = snapshot.get("steps", [])
        if not 0 < index < len(steps):
            continue
        before, after = (index - 1, index) if old_reading else (index, index - 1)
        ran = due - timedelta(minutes=int(steps[before]["timeout_minutes"]))
        new_due = ran + timedelta(minutes=int(steps[after]["timeout_minutes"]))
        conn.execute(progress.update().where(progress.c.id == row_id).values(next_due_at=new_due))
        conn.execute(
            job.update()
            .where(job.c.dedupe_key == f"escalation:{row_id}:v{version}", job.c.done_at.is_(None))
            .values(due_at=new_due)
        )


def upgrade() -> None:
    _retime(old_reading=True)


def downgrade() -> None:
    _retime(old_reading=False)
