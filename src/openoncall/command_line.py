"""What every `openoncall` command group shares: consoles, --org/--json, a container, errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from openoncall.container import Container, build_container
from openoncall.errors import OnCallError
from openoncall.settings import Settings

# soft_wrap: commands and keys printed for copying must never be broken across lines, which
# Rich does at 80 columns when the output is not a terminal (a pipe, a log, a CI job).
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organization slug (optional while there is one).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one line of JSON.")]


def configured_settings() -> Settings:
    """Settings from the environment, with logging set up as they say."""
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
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
