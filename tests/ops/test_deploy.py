"""The deployment files hang together (no Docker daemon is needed): the compose file's
services, health checks and ordering, every command they run parsed by the real CLI, every
OPENONCALL_ variable a real setting, and a non-root runtime image."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from typer.testing import CliRunner

from openoncall.cli import app
from openoncall.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Every variable OpenOnCall reads: the settings, and where npm put the UI assets (web/assets.py).
SETTINGS = {f"OPENONCALL_{name.upper()}" for name in Settings.model_fields} | {
    "OPENONCALL_NODE_MODULES"
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    return parsed


def _parses(args: list[str]) -> None:
    """The CLI accepts these arguments (unknown options fail before --help is handled)."""
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, (args, result.output)


def test_compose_runs_two_api_processes_and_two_engines_on_postgres_and_redis(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "migrate",
        "api-1",
        "api-2",
        "engine-1",
        "engine-2",
    }
    commands = {name: s.get("command") for name, s in services.items()}
    assert [n for n, c in commands.items() if c and c[:2] == ["serve", "--no-engine"]] == [
        "api-1",
        "api-2",
    ]
    assert [n for n, c in commands.items() if c and c[0] == "engine"] == ["engine-1", "engine-2"]
    assert commands["migrate"] == ["db", "upgrade"]
    for name in ("api-1", "api-2", "engine-1", "engine-2", "migrate"):
        env = services[name]["environment"]
        assert env["OPENONCALL_DATABASE_URL"].startswith("postgresql://")
        assert env["OPENONCALL_REDIS_URL"] == "redis://redis:6379/0"
        assert set(env) <= SETTINGS, set(env) - SETTINGS
        _parses(services[name]["command"])
    # Distinct host ports for the two API processes, on loopback (the proxy is in front).
    assert services["api-1"]["ports"] != services["api-2"]["ports"]
    assert all(p.startswith("127.0.0.1:") for n in ("api-1", "api-2") for p in services[n]["ports"])


def test_every_long_running_service_has_a_health_check_and_waits_for_its_dependencies(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, service in services.items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL")
        assert {"interval", "timeout", "retries"} <= set(check)
    assert "/readyz" in " ".join(services["api-1"]["healthcheck"]["test"])
    assert "9100/metrics" in " ".join(services["engine-1"]["healthcheck"]["test"])
    for name in ("api-1", "api-2", "engine-1", "engine-2"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_the_image_is_multi_stage_and_runs_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert len(stages) >= 2
    assert stages[-1].endswith("-slim")
    final = dockerfile.rsplit("\nFROM ", 1)[1]
    (user,) = re.findall(r"^USER (\S+)", final, re.M)
    assert user not in ("root", "0")
    assert re.search(r"useradd --system --uid 10001\b", final)
    entry = re.search(r"^CMD (\[.*\])$", final, re.M)
    assert entry is not None
    _parses(yaml.safe_load(entry.group(1)))
    assert not (set(re.findall(r"\b(OPENONCALL_[A-Z_]+)=", final)) - SETTINGS)


@pytest.mark.parametrize(
    "unit", ["openoncall.service", "openoncall-engine.service", "openoncall-backup.service"]
)
def test_systemd_units_run_real_commands_with_real_settings(unit: str) -> None:
    text = (ROOT / "deploy/systemd" / unit).read_text()
    assert "User=openoncall" in text
    assert "EnvironmentFile=/etc/openoncall/openoncall.env" in text
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", text, re.M)
    words = shlex.split(exec_start)
    if words[0] == "/bin/sh":
        # The backup's shell line: its openoncall command, with the dated file name.
        assert '/opt/openoncall/bin/openoncall db backup "$STATE_DIRECTORY/backups/' in words[2]
        words = ["db", "backup", "openoncall-20261203T000000Z.backup"]
    else:
        assert words[0] == "/opt/openoncall/bin/openoncall"
        words = words[1:]
    _parses(words)


def test_the_settings_file_names_only_real_settings() -> None:
    names = re.findall(
        r"^(OPENONCALL_[A-Z_]+)=", (ROOT / "deploy/systemd/openoncall.env").read_text(), re.M
    )
    assert names
    assert set(names) <= SETTINGS
