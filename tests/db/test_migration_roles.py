"""Migration 0009 renames the stored role "admin" to "global_admin", and back on downgrade.

A fresh database per backend: an organization is bootstrapped at head (its admin is a global
admin), the database goes down to 0009_importers (the old value "admin", the new roles as
"user") and up again.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from openoncall.clock import FrozenClock
from openoncall.container import build_container
from openoncall.db import migrate
from openoncall.db.engine import make_engine
from openoncall.settings import Settings
from openoncall.users.models import Role
from openoncall.users.service import set_role
from tests.api.scheduling_builders import make_user
from tests.conftest import T0, make_org
from tests.db.test_migration_step_timeout import fresh_url

__all__ = ["fresh_url"]  # the fixture


def _roles(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text('SELECT username, role FROM "user"'))
            return dict(rows.all())
    finally:
        engine.dispose()


def test_admin_means_global_admin_both_ways(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url, sqlite_synchronous="NORMAL")
    container = build_container(
        Settings(database_url=fresh_url, rate_limit_scale=0), clock=FrozenClock(T0), engine=engine
    )
    org = make_org(container)
    make_user(container, org.org_id, "sam")
    make_user(container, org.org_id, "alice")
    with container.sessions.transaction() as session:
        set_role(session, org.org_id, "sam", Role.STAKEHOLDER, by=None, actor="t", now=T0)
    engine.dispose()
    at_head = {"admin": "global_admin", "sam": "stakeholder", "alice": "user"}
    assert _roles(fresh_url) == at_head

    migrate.downgrade(fresh_url, "0009_importers")
    assert _roles(fresh_url) == {"admin": "admin", "sam": "user", "alice": "user"}
    migrate.upgrade(fresh_url)
    assert _roles(fresh_url) == {"admin": "global_admin", "sam": "user", "alice": "user"}
    engine = make_engine(fresh_url)
    try:
        # The check constraint keeps the column to the four roles.
        with engine.connect() as conn, pytest.raises(IntegrityError, match=r"ck_user_role|CHECK"):
            conn.execute(text("UPDATE \"user\" SET role = 'root' WHERE username = 'alice'"))
    finally:
        engine.dispose()
