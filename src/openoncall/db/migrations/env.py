"""Alembic environment: batch mode on SQLite, lock and statement timeouts on PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import openoncall.models  # noqa: F401  (registers every table on Base.metadata)
from openoncall.db.base import Base
from openoncall.db.engine import make_engine

config = context.config


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text("SET statement_timeout = '120s'"))
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
