"""make_engine(url): SQLite pragmas and transaction modes, PostgreSQL pooling."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DataError


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, sqlite_synchronous: str = "FULL", **kwargs: Any) -> Engine:
    """An engine for `url`. On SQLite, `synchronous=FULL` makes every commit durable before
    it returns (an answered alert survives a power cut); group commit keeps that affordable."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # As many connections as the threadpool has threads, so none is reopened per request.
            pool_size=40,
            max_overflow=40,
            **kwargs,
        )
        _configure_sqlite(engine, sqlite_synchronous)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    """WAL, foreign keys and explicit BEGIN.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT, so we emit BEGIN
    ourselves (the SQLAlchemy-documented fix). Writers use BEGIN IMMEDIATE (execution option
    `sqlite_begin="IMMEDIATE"`), so a read-then-write transaction never fails with
    SQLITE_BUSY_SNAPSHOT: SQLite has one writer, and writers queue on busy_timeout.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        # pysqlite raises a bare OverflowError for an integer past 64 bits, where PostgreSQL
        # raises DataError ("out of range"): make it the same error, answered the same (400).
        error = context.original_exception
        if isinstance(error, OverflowError):
            raise DataError(context.statement, context.parameters, error) from error

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
