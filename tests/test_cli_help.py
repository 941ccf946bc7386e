"""Every `openoncall` command and group: --help shows an example, flags show no `<bool>`
metavar, and -h is the same as --help."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from openoncall.cli import app

runner = CliRunner()


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    # Typer's own Click: a group is what has sub-commands.
    for name, sub in getattr(command, "commands", {}).items():
        yield from _paths(sub, (*prefix, name))


ALL = list(_paths(get_command(app)))


def test_every_command_is_listed() -> None:
    names = {" ".join(p) for p in ALL}
    assert {
        "users create",
        "teams delete",
        "rotations create",
        "policies show",
        "routing-keys list",
        "overrides delete",
        "maintenance start",
        "incidents reroute",
        "incidents note",
        "alert send",
        "notify test",
        "bootstrap",
        "keys revoke",
    } <= names
    assert len(ALL) > 50


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "openoncall")
def test_help_has_an_example_and_no_bool_metavar(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert "openoncall " in result.output.split("Example", 1)[1]
    assert "<bool>" not in result.output
    assert runner.invoke(app, [*path, "-h"]).output == result.output
