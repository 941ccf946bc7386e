"""What every `openoncall` command group shares: consoles, --org/--json, a container, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

from openoncall.container import Container, build_container
from openoncall.errors import OnCallError
from openoncall.observe.logs import configure_logging
from openoncall.settings import Settings

# soft_wrap: commands and keys printed for copying must never be broken across lines, which
# Rich does at 80 columns when the output is not a terminal (a pipe, a log, a CI job).
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organization slug (optional while there is one).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one line of JSON.")]


class LogFormatChoice(StrEnum):
    TEXT = "text"
    JSON = "json"


LogFormatOption = Annotated[
    LogFormatChoice | None,
    typer.Option(
        "--log-format",
        help="Log lines as readable text or one JSON object each "
        "(default: OPENONCALL_LOG_FORMAT, else text).",
    ),
]


def configured_settings(**overrides: Any) -> Settings:
    """Settings from the environment (command-line values given win), logging set up."""
    given: dict[str, Any] = {
        k: str(v) if isinstance(v, StrEnum) else v for k, v in overrides.items() if v is not None
    }
    settings = Settings(**given)
    configure_logging(settings.log_level, settings.log_format)
    return settings


@contextmanager
def command_container() -> Iterator[Container]:
    """A container for one command; its connection pool is closed when the command ends."""
    container = build_container(configured_settings())
    try:
        yield container
    finally:
        container.engine.dispose()


def fail(exc: OnCallError) -> typer.Exit:
    """Print the error (and the field it names) and exit with status 1."""
    where = f" ({exc.field})" if exc.field else ""
    err.print(f"[red]error:[/red] {exc.message}{where}")
    return typer.Exit(code=1)
