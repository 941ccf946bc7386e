"""web: web sessions and invitations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 07:14:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openoncall.db.base

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _token_table(name: str, *extra: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        *extra,
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f(f"fk_{name}_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f(f"fk_{name}_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{name}_user_id"), ["user_id"], unique=False)


def upgrade() -> None:
    _token_table("web_session")
    _token_table(
        "user_invitation",
        sa.Column("used_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for name in ("user_invitation", "web_session"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_user_id"))
            batch_op.drop_index(batch_op.f(f"ix_{name}_org_id"))
        op.drop_table(name)
