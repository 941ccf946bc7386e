"""paging: escalation progress, personal paging runs, deliveries, outgoing webhooks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:13:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openoncall.db.base

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_webhook_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook")),
        sa.UniqueConstraint("org_id", "label", name=op.f("uq_webhook_org_id_label")),
        sa.UniqueConstraint("slug", name=op.f("uq_webhook_slug")),
    )
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_org_id"), ["org_id"], unique=False)

    op.create_table(
        "user_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("next_step_index", sa.Integer(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("is_done", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=False),
        sa.Column("created_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_user_page_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_user_page_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_page_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_page")),
    )
    with op.batch_alter_table("user_page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_page_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_page_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_page_user_id"), ["user_id"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("contact_method_id", sa.Integer(), nullable=True),
        sa.Column("webhook_id", sa.Integer(), nullable=True),
        sa.Column("user_page_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("medium", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=1024), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tried_contact_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sending_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_method_id"],
            ["contact_method.id"],
            name=op.f("fk_delivery_contact_method_id_contact_method"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_delivery_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_delivery_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_delivery_user_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_page_id"],
            ["user_page.id"],
            name=op.f("fk_delivery_user_page_id_user_page"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhook.id"],
            name=op.f("fk_delivery_webhook_id_webhook"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_contact_sending", ["contact_method_id", "sending_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_delivery_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_org_id"), ["org_id"], unique=False)

    op.create_table(
        "escalation_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=128), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("next_step_index", sa.Integer(), nullable=False),
        sa.Column("next_due_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_done", sa.Boolean(), nullable=False),
        sa.Column("stopped_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", openoncall.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_escalation_progress_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organization.id"],
            name=op.f("fk_escalation_progress_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["escalation_policy.id"],
            name=op.f("fk_escalation_progress_policy_id_escalation_policy"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_progress")),
        sa.UniqueConstraint("origin", name=op.f("uq_escalation_progress_origin")),
    )
    with op.batch_alter_table("escalation_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_progress_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_escalation_progress_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalation_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_progress_org_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_progress_incident_id"))

    op.drop_table("escalation_progress")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_org_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_incident_id"))
        batch_op.drop_index("ix_delivery_contact_sending")

    op.drop_table("delivery")
    with op.batch_alter_table("user_page", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_page_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_page_org_id"))
        batch_op.drop_index(batch_op.f("ix_user_page_incident_id"))

    op.drop_table("user_page")
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_org_id"))

    op.drop_table("webhook")
