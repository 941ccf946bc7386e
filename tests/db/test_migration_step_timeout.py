"""Migration 0007 re-times escalations that were running when `timeout` meant the wait after a step.

A fresh database per backend, since the test moves it between revisions: an escalation is
started through the API at head (step 2 due 15 min after step 1), downgraded to 0006 (which
writes the old reading: due at once), then upgraded again (the vendor's reading back).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from openoncall.app import create_app
from openoncall.clock import FrozenClock
from openoncall.container import build_container
from openoncall.db import migrate
from openoncall.db.engine import make_engine
from openoncall.engine.runner import build_engine
from openoncall.escalation.models import EscalationProgress
from openoncall.jobs.models import Job
from openoncall.settings import Settings
from tests.conftest import PG_URL, T0, make_org
from tests.engine.channels import Outbox, recording_channels
from tests.engine.conftest import (
    add_policy,
    add_routing_key,
    add_team,
    add_user,
    post_alert,
    user_entry,
)


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    assert PG_URL is not None
    admin = make_url(PG_URL).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"oot_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _due(url: str) -> tuple[datetime | None, list[datetime]]:
    engine = make_engine(url)
    try:
        return _read_due(engine)
    finally:
        engine.dispose()


def _read_due(engine: Engine) -> tuple[datetime | None, list[datetime]]:
    with engine.connect() as conn:
        progress = conn.execute(
            select(EscalationProgress.next_due_at).where(EscalationProgress.is_done.is_(False))
        ).scalar_one()
        jobs = conn.execute(
            select(Job.due_at).where(Job.kind == "escalation.step", Job.done_at.is_(None))
        ).scalars()
        return progress, sorted(jobs)


def test_running_escalations_are_retimed_both_ways(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url, sqlite_synchronous="NORMAL")
    container = build_container(
        Settings(database_url=fresh_url, rate_limit_scale=0), clock=FrozenClock(T0), engine=engine
    )
    org = make_org(container)
    with TestClient(create_app(container)) as api:
        api.headers.update(org.headers)
        add_user(api, "alice")
        add_user(api, "bob")
        policy = add_policy(
            api,
            add_team(api),
            [
                {"timeout": 0, "entries": [user_entry("alice")]},
                {"timeout": 15, "entries": [user_entry("bob")]},
            ],
        )
        add_routing_key(api, "db", [policy])
        post_alert(api, org, "db")
    worker = build_engine(container, channels=recording_channels(Outbox()))
    worker.run_once()
    worker.stop()
    step_2 = T0 + timedelta(minutes=15)
    assert _read_due(engine) == (step_2, [step_2])
    engine.dispose()

    migrate.downgrade(fresh_url, "0006")  # the old reading: step 1's timeout (0) after it
    assert _due(fresh_url) == (T0, [T0])
    migrate.upgrade(fresh_url)
    assert _due(fresh_url) == (step_2, [step_2])
