"""The real `openoncall` executable: bootstrap, keys, help, alerts, and serve on a fresh
SQLite file.

Each test runs the installed console script in a subprocess with its own temporary SQLite
database (OPENONCALL_DATABASE_URL), as a person would from a shell (a terminal, through a
pty, where it asks for a password).
"""

from __future__ import annotations

import json
import os
import pty
import select as io_select
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
from openoncall.orgs.service import find_org_by_email_key
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
    )
    env.update(extra)
    return env


def run(db_url: str, *args: str, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [EXE, *args],
        env=_env(db_url, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def _bootstrap(db_url: str, org: str = "Acme", *more: str) -> dict[str, Any]:
    out = run(db_url, "bootstrap", "--org", org, *BOOT, *more, "--json").stdout
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
    assert set(boot) == {"orgSlug", "apiId", "apiKey", "restEndpointKey", "emailEndpointKey"}
    assert boot["orgSlug"] == "acme"
    assert all(isinstance(v, str) and v for v in boot.values())
    engine = make_engine(db)
    try:
        # The printed email endpoint key is the organization's.
        container = build_container(Settings(database_url=db), engine=engine)
        with container.sessions.transaction(write=False) as session:
            found = find_org_by_email_key(session, boot["emailEndpointKey"])
            assert found is not None
            assert found.slug == "acme"
        # The printed headers authenticate against an app on the same database.
        app = create_app(build_container(Settings(database_url=db), engine=engine))
        with TestClient(app) as client:
            r = client.get(
                "/api-public/v1/policies/types/timeouts",
                headers={"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]},
            )
            assert r.status_code == 200

        before = _snapshot(engine)
        # A second bootstrap is refused unless asked for, with a JSON error under --json.
        again = run(db, "bootstrap", "--org", "Globex", *BOOT, "--json", ok=False)
        assert again.returncode == 1
        assert again.stdout == ""
        assert json.loads(again.stderr) == {
            "error": "conflict",
            "message": "An organization exists already: bootstrap creates the first one "
            "(pass --another-org to create one more)",
            "field": "another-org",
        }
        same = run(db, "bootstrap", "--org", "Acme", *BOOT, "--another-org", ok=False)
        assert same.returncode == 1
        assert same.stdout == ""
        assert "Organization acme already exists (org)" in same.stderr
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
    globex = _bootstrap(db, "Globex", "--another-org")
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
        if proc.stdout is not None:  # unread when the test did not need the output
            proc.stdout.close()


def _wait_healthy(proc: subprocess.Popen[str], base: str) -> None:
    # Start-up imports and migrates a fresh file: slow on a loaded 2-core machine.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not become healthy within 90 s")


def test_serve_on_a_fresh_file_guides_and_answers(
    db: str, server: tuple[subprocess.Popen[str], str]
) -> None:
    proc, base = server
    _wait_healthy(proc, base)
    r = httpx.get(f"{base}/healthz", timeout=5)
    assert r.json() == {"status": "ok"}
    # Ready once the engine serve runs has beaten (at its first cycle, right after start).
    deadline = time.monotonic() + 10
    while (ready := httpx.get(f"{base}/readyz", timeout=5)).status_code != 200:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.1)
    assert ready.json()["status"] == "ok"
    assert ready.json()["engine"] == "ok"

    boot = _bootstrap(db)
    headers = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]}
    users = httpx.get(f"{base}/api-public/v1/user", headers=headers, timeout=5)
    assert users.status_code == 200, users.text
    assert "ada" in {u["username"] for group in users.json()["users"] for u in group}
    assert httpx.get(f"{base}/api-public/v1/user", timeout=5).status_code == 401

    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=15)
    assert "No organization exists yet. Create one with (it asks for the password):" in output
    # On one line even though the output is a pipe: it is meant to be copied.
    # The hint names the command as it can be run from here (this one is not on PATH).
    # Inside the working directory it is shown relative to it (`.venv/bin/openoncall`).
    shown = Path(EXE)
    if shown.is_relative_to(Path.cwd()):
        shown = shown.relative_to(Path.cwd())
    hint = f"  {shown} bootstrap --org ORG --admin USERNAME --email EMAIL --json"
    assert hint in output.splitlines()
    assert f"OpenOnCall serving on {base}" in output
    # OPENONCALL_BASE_URL is unset: links follow --port, and the banner says so.
    assert f"Links in notifications: {base}  (--host/--port; set OPENONCALL_BASE_URL" in output
    assert "Not configured, recorded in the incident timeline instead: email" in output
    assert "Email alerts: off (--smtp-port PORT accepts them over SMTP)" in output
    assert output.index("Links in notifications") < output.index("OpenOnCall serving")


def test_serve_on_a_busy_port_says_so_and_never_says_serving(db: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [EXE, "serve", "--port", str(port)],
            env=_env(db),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert f"Cannot listen for HTTP on 127.0.0.1:{port}" in result.stderr
    assert "serving" not in result.stdout + result.stderr


def test_banner_names_the_base_url_in_use_and_the_channels() -> None:
    from pydantic import SecretStr

    from openoncall.cli import banner, local_url

    assert local_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"  # noqa: S104
    assert local_url("::1", 9000) == "http://[::1]:9000"
    settings = Settings(
        base_url="https://oncall.example.com",
        smtp_url=SecretStr("smtp://u:secret@mail.example.com:587"),
        push_url="https://push.example.com",
    )
    lines = banner(settings, host="127.0.0.1", smtp_port=2525, base_from_env=True)
    text = "\n".join(lines)
    assert "Links in notifications: https://oncall.example.com  (OPENONCALL_BASE_URL)" in text
    assert "Sends pages by: email via mail.example.com:587, push, webhooks" in text
    assert "SMS and voice (OPENONCALL_SMS_*)" in text
    assert "secret" not in text
    assert "Email alerts: SMTP on 127.0.0.1:2525" in text


def _in_terminal(db_url: str, args: list[str], answers: list[tuple[str, str]]) -> tuple[int, str]:
    """Run the command on a pty (its controlling terminal), typing each answer once its
    prompt shows, in turn; the exit status and everything the terminal showed. A prompt
    counts once its trailing space is out: getpass writes it after turning echo off (and
    flushing what was typed before)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        os.execve(EXE, [EXE, *args], _env(db_url))  # noqa: S606  (our own executable)
    shown = b""
    answered_up_to = 0
    deadline = time.monotonic() + 60
    pending = list(answers)
    try:
        while time.monotonic() < deadline:
            at = shown.find(pending[0][0].encode(), answered_up_to) if pending else -1
            if at >= 0:
                prompt, answer = pending.pop(0)
                answered_up_to = at + len(prompt)
                os.write(fd, answer.encode() + b"\n")
            ready, _, _ = io_select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_bootstrap_asks_for_the_password_without_echoing_it(db: str) -> None:
    args = ["bootstrap", "--org", "Acme", "--admin", "ada", "--email", "ada@acme.example"]
    weak = "password2024"
    code, shown = _in_terminal(
        db, [*args, "--json"], [("Admin password: ", weak), ("Repeat for confirmation: ", weak)]
    )
    assert code == 1
    assert weak not in shown  # typed, never echoed
    assert '"field": "password"' in shown
    assert "one of the most common" in shown

    good = "a hidden passphrase"
    code, shown = _in_terminal(
        db,
        [*args, "--json"],
        [
            ("Admin password: ", good),
            ("Repeat for confirmation: ", "a typo"),
            ("Admin password: ", good),
            ("Repeat for confirmation: ", good),
        ],
    )
    assert code == 0, shown
    assert "Error: The two entered values do not match." in shown
    assert good not in shown
    boot = json.loads(shown.strip().splitlines()[-1])
    assert boot["orgSlug"] == "acme"
    # The password it was given signs the admin in.
    engine = make_engine(db)
    try:
        app = create_app(build_container(Settings(database_url=db), engine=engine))
        with TestClient(app) as client:
            page = client.get("/login")
            csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            signed_in = client.post(
                "/login",
                data={"username": "ada", "password": good, "csrf_token": csrf},
                follow_redirects=False,
            )
            assert signed_in.status_code == 303
    finally:
        engine.dispose()


def test_bootstrap_refuses_a_short_password_naming_it(db: str) -> None:
    short = run(
        db,
        "bootstrap",
        "--org",
        "Acme",
        "--admin",
        "ada",
        "--email",
        "a@b.example",
        "--password",
        "too short",
        "--json",
        ok=False,
    )
    assert short.returncode == 1
    assert json.loads(short.stderr) == {
        "error": "invalid-input",
        "message": "The password needs at least 12 characters",
        "field": "password",
    }


def test_alembic_is_silent_at_info(db: str) -> None:
    # A fresh file: every migration runs, and none of it is reported.
    result = run(db, "keys", "list", ok=False, OPENONCALL_LOG_LEVEL="INFO")
    assert result.returncode == 1
    assert "alembic" not in result.stderr
    assert "Running upgrade" not in result.stderr
    assert "openoncall bootstrap" in result.stderr


def test_version_and_short_help(db: str) -> None:
    from openoncall import __version__

    assert run(db, "--version").stdout == f"openoncall {__version__}\n"
    short = run(db, "-h").stdout
    assert short == run(db, "--help").stdout
    assert "Usage: openoncall" in short
    assert "users" in short
    assert "incidents" in short


def test_alert_send_opens_an_incident_on_a_live_server(
    db: str, server: tuple[subprocess.Popen[str], str]
) -> None:
    proc, base = server
    _wait_healthy(proc, base)
    boot = _bootstrap(db)
    sent = run(
        db,
        "alert",
        "send",
        "--url",
        base,
        "--entity-id",
        "disk-full",
        "--message",
        "db-1 99%",
        "--json",
        OPENONCALL_REST_KEY=boot["restEndpointKey"],
    )
    assert json.loads(sent.stdout) == {"result": "success", "entity_id": "disk-full"}
    deadline = time.monotonic() + 10
    incidents: list[dict[str, Any]] = []
    while not incidents and time.monotonic() < deadline:
        incidents = json.loads(run(db, "incidents", "list", "--json").stdout)["incidents"]
        time.sleep(0.1)
    (incident,) = incidents
    assert incident["entityId"] == "disk-full"
    assert incident["routingKey"] == "default"

    wrong = run(
        db, "alert", "send", "--url", base, "--json", ok=False, OPENONCALL_REST_KEY="not-the-key"
    )
    assert wrong.returncode == 1
    assert wrong.stdout == ""
    assert json.loads(wrong.stderr)["message"].startswith("HTTP 40")
    closed = run(
        db, "alert", "send", "--url", "http://127.0.0.1:9", "--rest-key", "k", "--json", ok=False
    )
    assert closed.returncode == 1
    assert json.loads(closed.stderr)["field"] == "url"
