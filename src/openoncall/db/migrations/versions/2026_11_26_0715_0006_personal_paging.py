"""personal_paging: personal paging policies (steps and rules)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 07:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paging_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("timeout_minutes", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_paging_step_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_paging_step_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paging_step")),
        sa.UniqueConstraint("user_id", "position", name=op.f("uq_paging_step_user_id_position")),
    )
    with op.batch_alter_table("paging_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paging_step_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paging_step_user_id"), ["user_id"], unique=False)

    op.create_table(
        "paging_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("notification_type", sa.String(length=16), nullable=False),
        sa.Column("contact_method_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_method_id"],
            ["contact_method.id"],
            name=op.f("fk_paging_rule_contact_method_id_contact_method"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_paging_rule_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["paging_step.id"],
            name=op.f("fk_paging_rule_step_id_paging_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paging_rule")),
        sa.UniqueConstraint("step_id", "position", name=op.f("uq_paging_rule_step_id_position")),
    )
    with op.batch_alter_table("paging_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paging_rule_contact_method_id"), ["contact_method_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_paging_rule_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paging_rule_step_id"), ["step_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("paging_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paging_rule_step_id"))
        batch_op.drop_index(batch_op.f("ix_paging_rule_org_id"))
        batch_op.drop_index(batch_op.f("ix_paging_rule_contact_method_id"))
    op.drop_table("paging_rule")
    with op.batch_alter_table("paging_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paging_step_user_id"))
        batch_op.drop_index(batch_op.f("ix_paging_step_org_id"))
    op.drop_table("paging_step")
