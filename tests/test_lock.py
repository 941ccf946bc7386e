"""requirements.lock pins, with hashes, everything pyproject.toml asks for, within its ranges,
and the scripts install from it alone."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _locked() -> dict[str, tuple[Version, int]]:
    """name → (version, number of hashes) for every pin in the lock."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := _PIN.match(line):
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2).split(";")[0]), 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def test_lock_covers_pyproject_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["build-system"]["requires"],
    ]
    pins = _locked()
    assert all(hashes > 0 for _version, hashes in pins.values()), "a pin without a hash"
    for spec in wanted:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run scripts/lock"
        version, _hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside {requirement.specifier}: run scripts/lock"
        )


def test_scripts_install_from_the_lock_only() -> None:
    venv = (ROOT / "scripts" / "_venv.sh").read_text()
    assert "--require-hashes --no-deps -r requirements.lock" in venv
    assert "--no-deps --no-build-isolation -e ." in venv
    assert "'.[dev]'" not in venv
