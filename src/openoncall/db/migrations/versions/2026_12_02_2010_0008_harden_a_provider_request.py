"""provider_request: signed SMS/voice webhooks already acted on (replay refusal)

Revision ID: 0008_harden_a
Revises: 0008_api_speed
Create Date: 2026-12-02 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openoncall.db.base

revision: str = "0008_harden_a"
down_revision: str | Sequence[str] | None = "0008_api_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("received_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_request")),
        sa.UniqueConstraint("sid", name=op.f("uq_provider_request_sid")),
    )
    with op.batch_alter_table("provider_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_request_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("provider_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_request_received_at"))
    op.drop_table("provider_request")
