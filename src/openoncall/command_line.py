"""What every `openoncall` command group shares: consoles, --org/--json, a container, errors."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

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
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one line of JSON (errors too, on stderr).")
]


class JsonUsageErrors(TyperGroup):
    """The root command: with --json anywhere on the line, a usage error (an unknown option,
    a missing or malformed value) is a JSON line on stderr too, with Click's exit status."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or "--json" not in argv:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        try:
            outcome = super().main(
                argv, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except Exception as exc:
            describe = getattr(exc, "format_message", None)
            if not callable(describe):  # not Click's: a bug, with its traceback
                raise
            typer.echo(json.dumps({"error": "usage", "message": describe()}), err=True)
            sys.exit(getattr(exc, "exit_code", 2))
        sys.exit(outcome if isinstance(outcome, int) else 0)


def command_group(help: str, example: str, *, cls: type[TyperGroup] | None = None) -> typer.Typer:
    """A command group whose --help ends with an example. Click's plain help, not Rich's:
    it prints flags without `<bool>` metavars and keeps example lines whole when piped."""
    return typer.Typer(
        help=help,
        epilog=example_text(example),
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
        cls=cls,
    )


def example_text(example: str) -> str:
    # \b keeps Click from re-wrapping the lines of the example into one paragraph.
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in example.strip().splitlines())


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
    # Alembic reports every migration it checks at INFO: noise on every command.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    return settings


@contextmanager
def command_container() -> Iterator[Container]:
    """A container for one command; its connection pool is closed when the command ends."""
    container = build_container(configured_settings())
    try:
        yield container
    finally:
        container.engine.dispose()


def fail(exc: OnCallError, *, as_json: bool = False) -> typer.Exit:
    """Print the error (and the field it names) and exit with status 1: as one JSON line on
    stderr with --json (`{"error": code, "message": ..., "field": ...}`), else as text."""
    if as_json:
        body: dict[str, Any] = {"error": exc.code, "message": exc.message}
        if exc.field:
            body["field"] = exc.field
        typer.echo(json.dumps(body), err=True)
    else:
        where = f" ({exc.field})" if exc.field else ""
        err.print(f"[red]error:[/red] {exc.message}{where}")
    return typer.Exit(code=1)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table for people; piped, it takes the width its content needs rather than Rich's 80
    columns, which would fold the ids other commands take."""
    table = Table(*columns)
    for row in rows:
        table.add_row(*("-" if cell is None or cell == "" else str(cell) for cell in row))
    (console if console.is_terminal else Console(width=200)).print(table)
