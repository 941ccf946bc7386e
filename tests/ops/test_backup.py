"""`openoncall db backup`: a consistent SQLite copy while writers commit, and pg_dump."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from openoncall.container import build_container
from openoncall.db import migrate
from openoncall.db.migrate import alembic_config
from openoncall.jobs import writer
from openoncall.jobs.kinds import JobKind
from openoncall.settings import Settings
from tests.conftest import T0

EXE = str(Path(sys.executable).with_name("openoncall"))


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
    env["OPENONCALL_DATABASE_URL"] = db_url
    return subprocess.run(
        [EXE, "db", "backup", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def live_sqlite(tmp_path: Path) -> Iterator[tuple[str, list[int]]]:
    """A SQLite file with a thread committing a job every few milliseconds meanwhile."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate.upgrade(url)
    container = build_container(Settings(database_url=url, sqlite_synchronous="NORMAL"))
    committed: list[int] = []
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            with container.sessions.transaction() as session:
                for _ in range(20):
                    n += 1
                    # A fat payload, so the file has many pages to copy while writes go on.
                    writer.enqueue(
                        session,
                        kind=JobKind.DELIVERY_SEND,
                        payload={"n": n, "pad": "x" * 2000},
                        due_at=T0,
                        now=T0,
                    )
            committed.append(n)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        while len(committed) < 50:
            stop.wait(0.01)
        yield url, committed
    finally:
        stop.set()
        thread.join(timeout=30)
        container.engine.dispose()


def test_sqlite_backup_while_writers_commit_is_consistent(
    live_sqlite: tuple[str, list[int]], tmp_path: Path
) -> None:
    url, committed = live_sqlite
    target = tmp_path / "copy.db"
    before = committed[-1]
    done = _run(url, str(target))
    after = committed[-1]
    assert done.returncode == 0, done.stderr
    assert f"backup written to {target}" in done.stdout
    assert after > before, "the writer kept committing during the backup"
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (rows,) = copy.execute("SELECT count(*) FROM job").fetchone()
        (version,) = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        copy.close()
    # One committed state: whole transactions of 20 only, and none later than the copy.
    assert rows % 20 == 0
    assert before <= rows <= committed[-1]
    assert version == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert not (tmp_path / "copy.db.partial").exists()


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    migrate.upgrade(url)
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    refused = _run(url, str(target))
    assert refused.returncode == 1
    assert "exists (--force replaces it)" in refused.stderr
    assert target.read_bytes() == b"keep me"
    assert _run(url, str(target), "--force").returncode == 0
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_postgresql_backup_is_a_pg_dump_that_restores(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql") or shutil.which("pg_restore") is None:
        pytest.skip("needs PostgreSQL and pg_restore")
    target = tmp_path / "oncall.dump"
    done = _run(db_url, str(target))
    assert done.returncode == 0, done.stderr
    assert "pg_dump --format=custom" in done.stdout
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public engine_heartbeat" in listing
    assert "TABLE public incident" in listing
