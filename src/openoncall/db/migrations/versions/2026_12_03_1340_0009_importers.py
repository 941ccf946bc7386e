"""importers: imported_object remembers what each import made, by source id

Revision ID: 0009_importers
Revises: 0008_clients
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openoncall.db.base import UtcDateTime

revision: str = "0009_importers"
down_revision: str | Sequence[str] | None = "0008_clients"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_object",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=300), nullable=False),
        sa.Column("local_id", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_imported_object_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_object")),
        sa.UniqueConstraint(
            "org_id",
            "source",
            "kind",
            "source_id",
            name=op.f("uq_imported_object_org_id_source_kind_source_id"),
        ),
    )
    with op.batch_alter_table("imported_object", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_object_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_object", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_object_org_id"))
    op.drop_table("imported_object")
