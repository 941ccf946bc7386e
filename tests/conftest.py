"""Fixtures: a database per backend (SQLite file, PostgreSQL), container, app, client, org.

Every test that touches the database runs once per backend: SQLite always, PostgreSQL when
OPENONCALL_TEST_PG_URL is set (scripts/test sets it when a local server answers). Each xdist
worker gets its own SQLite file and its own PostgreSQL database, built by the migrations.
After each test every table is emptied, so tests may commit for real (concurrency tests do).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import openoncall.models  # noqa: F401  (registers every table)
from openoncall.app import create_app
from openoncall.auth.passwords import use_fast_hashing
from openoncall.clock import FrozenClock
from openoncall.container import Container, build_container
from openoncall.db import migrate
from openoncall.db.base import Base
from openoncall.db.engine import make_engine
from openoncall.orgs.service import Bootstrapped, bootstrap_org, get_org
from openoncall.settings import Settings

PG_URL = os.environ.get("OPENONCALL_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday, far from any DST change

use_fast_hashing()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database on one backend, for the whole session."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "openoncall.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    assert PG_URL is not None
    name = f"oot_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = make_url(PG_URL).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A test database need not survive a crash: commits do not wait for the WAL to reach
        # the disk, which on a busy machine is most of a scenario's time on PostgreSQL.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = admin.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, sqlite_synchronous="NORMAL")
    yield engine
    engine.dispose()


@pytest.fixture
def backend(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, rate_limit_scale=0, usage_flush_seconds=0.05)


@pytest.fixture
def container(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[Container]:
    container = build_container(settings, clock=clock, engine=engine)
    yield container
    _empty_all_tables(engine)


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":
            # One round trip for every table, not one each: PostgreSQL runs a string of
            # statements as one query.
            statements = (str(delete(t).compile(dialect=engine.dialect)) for t in tables)
            session.connection().exec_driver_sql(";".join(statements))
            return
        for table in tables:
            session.execute(delete(table))


@pytest.fixture
def session(container: Container) -> Iterator[Session]:
    """A session in its own transaction, committed at the end of the test's use of it."""
    with container.sessions.transaction() as session:
        yield session


@pytest.fixture
def app(container: Container) -> FastAPI:
    return create_app(container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@dataclass(frozen=True)
class Org:
    """A bootstrapped organization and the headers its full-access key authenticates with."""

    boot: Bootstrapped
    org_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"X-VO-Api-Id": self.boot.api_id, "X-VO-Api-Key": self.boot.api_key}


def make_org(container: Container, name: str = "Acme", admin: str = "admin") -> Org:
    with container.sessions.transaction() as session:
        boot = bootstrap_org(
            session,
            org_name=name,
            admin_username=admin,
            admin_email=f"{admin}@{name.lower()}.example",
            admin_password="correct horse battery staple",
            now=container.clock.now(),
        )
        org_id = get_org(session, boot.org_slug).id
    return Org(boot=boot, org_id=org_id)


@pytest.fixture
def org(container: Container) -> Org:
    return make_org(container)


@pytest.fixture
def api(client: TestClient, org: Org) -> TestClient:
    """The client, authenticated with the org's full-access key."""
    client.headers.update(org.headers)
    return client
