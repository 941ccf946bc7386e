"""`openoncall oncall now` and `openoncall oncall take`: the on-call operator commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from openoncall.container import Container, build_container
from openoncall.errors import OnCallError
from openoncall.orgs import service as orgs
from openoncall.overrides import service as overrides
from openoncall.schedules.now import oncall_now
from openoncall.schedules.schemas import render_oncall_now
from openoncall.settings import Settings

oncall_app = typer.Typer(help="Who is on call now; Take On-Call.", no_args_is_help=True)

console = Console()
err = Console(stderr=True)

OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organization slug (optional while there is one).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one line of JSON.")]


@contextmanager
def _container() -> Iterator[Container]:
    """A container for one command; its connection pool is closed when the command ends."""
    container = build_container(Settings())
    try:
        yield container
    finally:
        container.engine.dispose()


def _fail(exc: OnCallError) -> typer.Exit:
    where = f" ({exc.field})" if exc.field else ""
    err.print(f"[red]error:[/red] {exc.message}{where}")
    return typer.Exit(code=1)


@oncall_app.command("now")
def now_command(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Who is on call right now, per team and escalation policy."""
    try:
        with _container() as container, container.sessions.transaction(write=False) as session:
            org_row = orgs.get_org(session, org)
            found = oncall_now(session, org_row.id, container.clock.now())
    except OnCallError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(render_oncall_now(found).model_dump_json(by_alias=True))
        return
    table = Table("team", "escalation policy", "on call now")
    for team in found.teams:
        for policy in team.policies:
            table.add_row(
                team.name, f"{policy.name} ({policy.slug})", ", ".join(policy.usernames) or "-"
            )
    console.print(table)


@oncall_app.command("take")
def take_command(
    policy: Annotated[str, typer.Option("--policy", help="Escalation policy slug.")],
    from_user: Annotated[str, typer.Option("--from", help="Username on call now.")],
    to_user: Annotated[str, typer.Option("--to", help="Username taking over.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take On-Call: --to replaces --from on --policy until --from's shift there ends."""
    try:
        with _container() as container, container.sessions.transaction() as session:
            org_row = orgs.get_org(session, org)
            overrides.take_oncall(
                session,
                org_row.id,
                policy_slug=policy,
                from_username=from_user,
                to_username=to_user,
                actor="cli",
                now=container.clock.now(),
            )
    except OnCallError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps({"result": "ok"}))
        return
    console.print(f"{to_user} is now on call for {policy} instead of {from_user}")
