"""delivery attempts: in-flight marker, idempotency key and resend count per delivery

Revision ID: 0010_delivery_attempts
Revises: 0009_ops
Create Date: 2026-12-04 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openoncall.db.base

revision: str = "0010_delivery_attempts"
down_revision: str | Sequence[str] | None = "0009_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "in_flight_since", openoncall.db.base.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("resent_unrecorded", sa.Integer(), nullable=False, server_default="0")
        )
    # Existing deliveries get a random key each (32 hex digits, like uuid4().hex).
    random_hex = (
        "md5(random()::text || id::text)"
        if op.get_bind().dialect.name == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    op.execute(f"UPDATE delivery SET idempotency_key = {random_hex}")  # noqa: S608
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.alter_column("idempotency_key", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("resent_unrecorded", server_default=None)
        batch_op.create_unique_constraint(
            batch_op.f("uq_delivery_idempotency_key"), ["idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_delivery_idempotency_key"), type_="unique")
        batch_op.drop_column("resent_unrecorded")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("in_flight_since")
