"""The real `openoncall` executable: bootstrap, keys, and serve on a fresh SQLite file.

Each test runs the installed console script in a subprocess with its own temporary SQLite
database (OPENONCALL_DATABASE_URL), as a person would from a shell.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

import openoncall.models  # noqa: F401  (every table, for the snapshot)
from openoncall.app import create_app
from openoncall.container import build_container
from openoncall.db.base import Base
from openoncall.db.engine import make_engine
from openoncall.settings import Settings

EXE = str(Path(sys.executable).with_name("openoncall"))
BOOT = ["--admin", "ada", "--email", "ada@acme.example", "--password", "s3cret passphrase"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'openoncall.db'}"


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
    env.update(
        OPENONCALL_DATABASE_URL=db_url,
        OPENONCALL_RATE_LIMIT_SCALE="0",
        OPENONCALL_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def run(db_url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [EXE, *args], env=_env(db_url), capture_output=True, text=True, timeout=60, check=False
    )
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def _bootstrap(db_url: str, org: str = "Acme") -> dict[str, Any]:
    out = run(db_url, "bootstrap", "--org", org, *BOOT, "--json").stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for t in Base.metadata.sorted_tables
        }


def test_bootstrap_prints_one_json_line_and_a_second_one_fails_changing_nothing(db: str) -> None:
    boot = _bootstrap(db)
    assert set(boot) == {"orgSlug", "apiId", "apiKey", "restEndpointKey"}
    assert boot["orgSlug"] == "acme"
    assert all(isinstance(v, str) and v for v in boot.values())
    engine = make_engine(db)
    try:
        # The printed headers authenticate against an app on the same database.
        app = create_app(build_container(Settings(database_url=db), engine=engine))
        with TestClient(app) as client:
            r = client.get(
                "/api-public/v1/policies/types/timeouts",
                headers={"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]},
            )
            assert r.status_code == 200

        before = _snapshot(engine)
        again = run(db, "bootstrap", "--org", "Acme", *BOOT, "--json", ok=False)
        assert again.returncode == 1
        assert again.stdout == ""
        assert "Organization acme already exists" in again.stderr
        assert _snapshot(engine) == before
    finally:
        engine.dispose()


def test_keys_create_list_revoke(db: str) -> None:
    boot = _bootstrap(db)

    created = json.loads(
        run(db, "keys", "create", "--read-only", "--label", "grafana", "--json").stdout
    )
    assert set(created) == {"id", "apiKey", "readOnly"}
    assert created["readOnly"] is True
    full = json.loads(run(db, "keys", "create", "--json").stdout)
    assert full["readOnly"] is False

    # Calls with each key, through an app on the same file; its shutdown flushes the tally.
    engine = make_engine(db)
    try:
        settings = Settings(database_url=db, rate_limit_scale=0)
        with TestClient(create_app(build_container(settings, engine=engine))) as client:
            for key, n in ((created["apiKey"], 3), (full["apiKey"], 2)):
                headers = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": key}
                for _ in range(n):
                    assert (
                        client.get(
                            "/api-public/v1/policies/types/timeouts", headers=headers
                        ).status_code
                        == 200
                    )
            ro_headers = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": created["apiKey"]}
            assert (
                client.post(
                    "/api-public/v1/team", json={"name": "x"}, headers=ro_headers
                ).status_code
                == 403
            )
    finally:
        engine.dispose()

    listed = json.loads(run(db, "keys", "list", "--json").stdout)
    by_id = {k["id"]: k for k in listed}
    assert set(by_id) >= {created["id"], full["id"]}
    assert len(listed) == 3  # with the bootstrap key
    assert by_id[created["id"]]["label"] == "grafana"
    assert by_id[created["id"]]["readOnly"] is True
    assert (by_id[created["id"]]["callsTotal"], by_id[created["id"]]["callsToday"]) == (3, 3)
    assert (by_id[full["id"]]["callsTotal"], by_id[full["id"]]["callsToday"]) == (2, 2)
    assert by_id[full["id"]]["lastUsedAt"] is not None

    table = run(db, "keys", "list").stdout
    assert created["id"] in table
    assert "grafana" in table
    assert "read-only" in table
    # The secret is shown once, at creation, never in a listing.
    assert created["apiKey"] not in table

    revoked = run(db, "keys", "revoke", created["id"])
    assert created["id"] in revoked.stdout
    listed = json.loads(run(db, "keys", "list", "--json").stdout)
    assert created["id"] not in {k["id"] for k in listed}
    again = run(db, "keys", "revoke", created["id"], ok=False)
    assert again.returncode == 1
    assert f"API key {created['id']} not found" in again.stderr


def test_org_is_optional_only_while_there_is_one(db: str) -> None:
    _bootstrap(db)
    assert json.loads(run(db, "keys", "create", "--json").stdout)["readOnly"] is False
    globex = _bootstrap(db, "Globex")
    assert globex["orgSlug"] == "globex"

    ambiguous = run(db, "keys", "create", "--json", ok=False)
    assert ambiguous.returncode == 1
    assert "Several organizations exist: name one with --org" in ambiguous.stderr
    named = json.loads(run(db, "keys", "create", "--org", "globex", "--json").stdout)
    assert named["readOnly"] is False
    assert len(json.loads(run(db, "keys", "list", "--org", "globex", "--json").stdout)) == 2
    unknown = run(db, "keys", "list", "--org", "initech", ok=False)
    assert unknown.returncode == 1
    assert "Organization initech not found" in unknown.stderr


def test_keys_on_a_fresh_file_say_to_bootstrap(db: str) -> None:
    result = run(db, "keys", "list", ok=False)
    assert result.returncode == 1
    assert "openoncall bootstrap" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(db: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port)],
        env=_env(db),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(proc: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not become healthy within 30 s")


def test_serve_on_a_fresh_file_guides_and_answers(
    db: str, server: tuple[subprocess.Popen[str], str]
) -> None:
    proc, base = server
    _wait_healthy(proc, base)
    r = httpx.get(f"{base}/healthz", timeout=5)
    assert r.json() == {"status": "ok"}
    assert httpx.get(f"{base}/readyz", timeout=5).json() == {"status": "ok"}

    boot = _bootstrap(db)
    headers = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]}
    users = httpx.get(f"{base}/api-public/v1/user", headers=headers, timeout=5)
    assert users.status_code == 200, users.text
    assert "ada" in {u["username"] for group in users.json()["users"] for u in group}
    assert httpx.get(f"{base}/api-public/v1/user", timeout=5).status_code == 401

    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=15)
    assert "No organization exists yet. Create one with:" in output
    # On one line even though the output is a pipe: it is meant to be copied.
    assert (
        "  openoncall bootstrap --org ORG --admin USERNAME --email EMAIL --password PASSWORD --json"
        in output.splitlines()
    )
    assert f"OpenOnCall serving on {base}" in output
