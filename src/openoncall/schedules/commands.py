"""`openoncall oncall now` and `openoncall oncall take`: the on-call operator commands."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from openoncall.command_line import (
    JsonOption,
    OrgOption,
    command_container,
    command_group,
    console,
    example_text,
    fail,
)
from openoncall.errors import OnCallError
from openoncall.orgs import service as orgs
from openoncall.overrides import service as overrides
from openoncall.schedules.now import oncall_now
from openoncall.schedules.schemas import render_oncall_now

oncall_app = command_group(
    "Who is on call now; Take On-Call.",
    "openoncall oncall take --policy pol-ab12cd --from alice --to bob",
)


@oncall_app.command("now", epilog=example_text("openoncall oncall now --json"))
def now_command(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Who is on call right now, per team and escalation policy."""
    try:
        with (
            command_container() as container,
            container.sessions.transaction(write=False) as session,
        ):
            org_row = orgs.get_org(session, org)
            found = oncall_now(session, org_row.id, container.clock.now())
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
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


@oncall_app.command(
    "take", epilog=example_text("openoncall oncall take --policy pol-ab12cd --from alice --to bob")
)
def take_command(
    policy: Annotated[str, typer.Option("--policy", help="Escalation policy slug.")],
    from_user: Annotated[str, typer.Option("--from", help="Username on call now.")],
    to_user: Annotated[str, typer.Option("--to", help="Username taking over.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take On-Call: --to replaces --from on --policy until --from's shift there ends."""
    try:
        with command_container() as container, container.sessions.transaction() as session:
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
        raise fail(exc, as_json=as_json) from exc
    if as_json:
        typer.echo(json.dumps({"result": "ok"}))
        return
    console.print(f"{to_user} is now on call for {policy} instead of {from_user}")
