"""`openoncall webhooks add|list|remove`: manage outgoing webhooks (the API lists them only)."""

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
from openoncall.container import Container
from openoncall.errors import OnCallError
from openoncall.orgs import service as orgs
from openoncall.webhooks import service

webhooks_app = command_group(
    "Outgoing webhooks that escalation policies page.",
    "openoncall webhooks add --label chatops --url https://hooks.example.com/oncall",
)


@webhooks_app.command(
    "add",
    epilog=example_text(
        "openoncall webhooks add --label chatops --url https://hooks.example.com/oncall"
    ),
)
def add_command(
    label: Annotated[str, typer.Option("--label", help="A name people recognise.")],
    url: Annotated[str, typer.Option("--url", help="Where to POST the incident JSON.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a webhook; prints its slug and the HMAC signing secret (shown once)."""
    with command_container() as container:
        _run_add(container, label=label, url=url, org=org, as_json=as_json)


def _run_add(container: Container, *, label: str, url: str, org: str | None, as_json: bool) -> None:
    try:
        with container.sessions.transaction() as session:
            org_row = orgs.get_org(session, org)
            created = service.create_webhook(
                session, org_row.id, label=label, url=url, now=container.clock.now()
            )
            slug, secret = created.webhook.slug, created.secret
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
    if as_json:
        typer.echo(json.dumps({"slug": slug, "label": label, "url": url, "secret": secret}))
        return
    console.print(f"Webhook [bold]{slug}[/bold] ({label}) → {url}")
    console.print(f"  Signing secret: {secret}   (shown once; verify X-OpenOnCall-Signature)")


@webhooks_app.command("list", epilog=example_text("openoncall webhooks list --json"))
def list_command(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List the organization's webhooks."""
    with command_container() as container:
        _run_list(container, org=org, as_json=as_json)


def _run_list(container: Container, *, org: str | None, as_json: bool) -> None:
    try:
        with container.sessions.transaction(write=False) as session:
            org_row = orgs.get_org(session, org)
            rows = [(w.slug, w.label, w.url) for w in service.list_webhooks(session, org_row.id)]
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
    if as_json:
        typer.echo(json.dumps([{"slug": s, "label": lb, "url": u} for s, lb, u in rows]))
        return
    table = Table("slug", "label", "url")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@webhooks_app.command("remove", epilog=example_text("openoncall webhooks remove hook-ab12cd"))
def remove_command(
    slug: Annotated[str, typer.Argument(help="The webhook's slug.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Remove a webhook; policy entries naming it record that it is gone when they run."""
    with command_container() as container:
        _run_remove(container, slug=slug, org=org, as_json=as_json)


def _run_remove(container: Container, *, slug: str, org: str | None, as_json: bool = False) -> None:
    try:
        with container.sessions.transaction() as session:
            org_row = orgs.get_org(session, org)
            service.remove_webhook(session, org_row.id, slug)
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
    if as_json:
        typer.echo(json.dumps({"removed": slug}))
        return
    console.print(f"Webhook {slug} removed")
