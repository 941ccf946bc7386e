"""`serve --log-format json --access-log` and `engine` with OPENONCALL_LOG_FORMAT=json, as
real processes: every stderr line is one JSON object; an alert's lines carry its ids; the
endpoint key appears nowhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.engine.servers import free_port

EXE = str(Path(sys.executable).with_name("openoncall"))
ALERT_PATH = "/integrations/generic/20131114/alert"
BOOT = [
    "--admin",
    "ada",
    "--email",
    "ada@acme.example",
    "--password",
    "a long s3cret passphrase",
    "--json",
]


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
    env.update(
        OPENONCALL_DATABASE_URL=db_url,
        OPENONCALL_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "no log lines"
    return [json.loads(line) for line in lines]  # fails on any line that is not JSON


def test_serve_logs_json_lines_with_ids_and_no_secret(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'oncall.db'}"
    boot = subprocess.run(
        [EXE, "bootstrap", "--org", "Acme", *BOOT],
        env=_env(db),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    keys = json.loads(boot.stdout.strip().splitlines()[-1])
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), "--log-format", "json", "--access-log"],
        env=_env(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A loaded CI machine can take a while to start a process and its engine.
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "not ready within 90 s"
            time.sleep(0.1)
        r = httpx.post(
            f"{base}{ALERT_PATH}/{keys['restEndpointKey']}/default",
            json={"message_type": "CRITICAL", "entity_id": "disk", "state_message": "full"},
        )
        assert r.status_code == 200, r.text
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    lines = _json_lines(stderr)
    assert all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    (accepted,) = [line for line in lines if line.get("event") == "alert.accepted"]
    (opened,) = [line for line in lines if line.get("event") == "incident.opened"]
    assert accepted["incident_id"] == opened["incident_id"]
    assert accepted["org_id"] == opened["org_id"]
    assert accepted["routing_key"] == "default"
    access = [line for line in lines if line.get("event") == "http.request"]
    assert f"{ALERT_PATH}/[redacted]/default" in [a["path"] for a in access]
    for secret in (keys["restEndpointKey"], keys["apiKey"]):
        assert secret not in stderr


def test_engine_logs_json_when_the_environment_says_so_and_serves_its_metrics(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'oncall.db'}"
    subprocess.run([EXE, "db", "upgrade"], env=_env(db), check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "engine", "--metrics-port", str(port)],
        env=_env(db, OPENONCALL_LOG_FORMAT="json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "engine running"
        deadline = time.monotonic() + 15
        while "openoncall_engine_heartbeat_age_seconds{" not in (
            text := httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        ):
            assert time.monotonic() < deadline, text
            time.sleep(0.2)
        for name in ("openoncall_engine_cycles_total", "openoncall_jobs_due", "process_cpu"):
            assert name in text
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    messages = [line["msg"] for line in _json_lines(stderr)]
    assert "engine started" in messages
    assert "engine stopped" in messages
