"""roles: the vendor's global roles (global_admin, alert_admin, user, stakeholder)

The stored value "admin" becomes "global_admin" (same meaning), and a check constraint keeps
the column to the four roles. Team admin stays per team (`team_member.is_admin`).

Revision ID: 0009_roles
Revises: 0009_importers
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_roles"
down_revision: str | Sequence[str] | None = "0009_importers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_user = sa.table("user", sa.column("role", sa.String))
_ROLES = "role IN ('global_admin', 'alert_admin', 'user', 'stakeholder')"


def upgrade() -> None:
    op.execute(_user.update().where(_user.c.role == "admin").values(role="global_admin"))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_user_role"), _ROLES)


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_role"), type_="check")
    # The older schema knows admins and users only: the new roles fall back to user.
    op.execute(_user.update().where(_user.c.role == "global_admin").values(role="admin"))
    op.execute(
        _user.update().where(_user.c.role.in_(["alert_admin", "stakeholder"])).values(role="user")
    )
