"""ops: engine_heartbeat, one row per running engine, for /readyz and /metrics

Revision ID: 0009_ops
Revises: 0009_roles
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openoncall.db.base

revision: str = "0009_ops"
down_revision: str | Sequence[str] | None = "0009_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engine_heartbeat",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lag_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_heartbeat")),
    )
    with op.batch_alter_table("engine_heartbeat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engine_heartbeat_beat_at"), ["beat_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("engine_heartbeat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_heartbeat_beat_at"))
    op.drop_table("engine_heartbeat")
