"""The `openoncall` command: serve, db, bootstrap, keys, users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from openoncall.command_line import (
    JsonOption,
    LogFormatOption,
    OrgOption,
    configured_settings,
    console,
    err,
    fail,
)
from openoncall.container import Container, build_container
from openoncall.db import backup, migrate
from openoncall.engine.commands import engine_command
from openoncall.engine.runner import attach_to_app
from openoncall.errors import OnCallError
from openoncall.importers.commands import import_app
from openoncall.orgs import service as orgs
from openoncall.schedules.commands import oncall_app
from openoncall.settings import Settings
from openoncall.users.commands import users_app
from openoncall.webhooks.commands import webhooks_app

app = typer.Typer(help="OpenOnCall: on-call and incident response.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (X-VO-Api-Key).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(oncall_app, name="oncall")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")
app.command("engine")(engine_command)


def _container() -> Container:
    return build_container(configured_settings())


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8080,
    *,
    no_engine: Annotated[
        bool, typer.Option("--no-engine", help="Serve HTTP only; run `openoncall engine` apart.")
    ] = False,
    smtp_port: Annotated[
        int | None,
        typer.Option("--smtp-port", help="Also accept email alerts over SMTP on this port."),
    ] = None,
    log_format: LogFormatOption = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every HTTP request, secrets redacted (default: OPENONCALL_ACCESS_LOG).",
        ),
    ] = None,
) -> None:
    """Apply pending migrations and serve HTTP (and the paging engine, unless --no-engine)."""
    import uvicorn

    from openoncall.app import create_app

    container = build_container(configured_settings(log_format=log_format, access_log=access_log))
    migrate.upgrade(container.settings.database_url)
    container.extras["run_engine"] = not no_engine
    attach_to_app(container)
    with container.sessions.transaction(write=False) as session:
        if orgs.count_orgs(session) == 0:
            console.print(
                "No organization exists yet. Create one with:\n"
                "  openoncall bootstrap --org ORG --admin USERNAME --email EMAIL "
                "--password PASSWORD --json"
            )
    if smtp_port is not None:
        from openoncall.alerts.email_listener import install_email_listener

        install_email_listener(container, host=host, port=smtp_port)
        console.print(f"Email alerts: SMTP on {host}:{smtp_port} to KEY+ROUTINGKEY@…")
    console.print(f"OpenOnCall serving on http://{host}:{port}  (API docs: /api-docs)")
    # log_config=None: uvicorn's own lines go through our handler, in the chosen format; its
    # access log is replaced by ours, which redacts keys in alert and link URLs.
    uvicorn.run(
        create_app(container),
        host=host,
        port=port,
        log_level="warning",
        log_config=None,
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    settings = Settings()
    migrate.upgrade(settings.database_url)
    console.print("database is up to date")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Back up the database while OpenOnCall runs (SQLite online backup, or pg_dump).

    Example: openoncall db backup /var/backups/openoncall-$(date +%F).db
    """
    settings = Settings()
    if path.exists() and not force:
        err.print(f"[red]error:[/red] {path} exists (--force replaces it)")
        raise typer.Exit(code=1)
    try:
        how = backup.backup(settings.database_url, path)
    except backup.BackupFailed as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(f"backup written to {path} ({how})")


@app.command()
def bootstrap(
    org: Annotated[str, typer.Option("--org", help="Organization name.")],
    admin: Annotated[str, typer.Option("--admin", help="Admin username.")],
    email: Annotated[str, typer.Option("--email", help="Admin email.")],
    password: Annotated[str, typer.Option("--password", help="Admin password.")],
    as_json: JsonOption = False,
) -> None:
    """Create the first organization, its admin, a full-access API key and endpoint keys."""
    container = _container()
    migrate.upgrade(container.settings.database_url)
    try:
        with container.sessions.transaction() as session:
            done = orgs.bootstrap_org(
                session,
                org_name=org,
                admin_username=admin,
                admin_email=email,
                admin_password=password,
                now=container.clock.now(),
            )
    except OnCallError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "orgSlug": done.org_slug,
                    "apiId": done.api_id,
                    "apiKey": done.api_key,
                    "restEndpointKey": done.rest_endpoint_key,
                }
            )
        )
        return
    console.print(f"Organization [bold]{done.org_slug}[/bold] with admin {done.admin_username}")
    console.print(f"  X-VO-Api-Id:  {done.api_id}")
    console.print(f"  X-VO-Api-Key: {done.api_key}   (shown once)")
    console.print(f"  REST endpoint key: {done.rest_endpoint_key}   (shown once)")
    console.print(f"  Email endpoint key: {done.email_key}   (shown once)")


@keys_app.command("create")
def keys_create(
    org: OrgOption = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="GET requests only.")] = False,
    label: Annotated[str, typer.Option("--label", help="What the key is for.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an API key; the secret is printed once."""
    container = _container()
    migrate.upgrade(container.settings.database_url)  # a fresh file: tables first
    try:
        with container.sessions.transaction() as session:
            org_row = orgs.get_org(session, org)
            key = orgs.create_api_key(
                session,
                org_row.id,
                created_by=None,
                label=label,
                is_read_only=read_only,
                now=container.clock.now(),
            )
    except OnCallError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps({"id": key.id, "apiKey": key.api_key, "readOnly": key.is_read_only}))
        return
    kind = "read-only" if key.is_read_only else "full access"
    console.print(f"API key {key.id} ({kind}): {key.api_key}   (shown once)")


@keys_app.command("list")
def keys_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List active API keys with their call tallies."""
    container = _container()
    migrate.upgrade(container.settings.database_url)  # a fresh file: tables first
    try:
        with container.sessions.transaction(write=False) as session:
            org_row = orgs.get_org(session, org)
            rows = orgs.list_api_keys(session, org_row.id)
            usage = orgs.calls_today(session, [k.id for k in rows], container.clock.now())
    except OnCallError as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": k.public_id,
                        "label": k.label,
                        "readOnly": k.is_read_only,
                        "callsToday": usage.get(k.id, 0),
                        "callsTotal": k.total_calls,
                        "lastUsedAt": k.last_used_at.isoformat() if k.last_used_at else None,
                    }
                    for k in rows
                ]
            )
        )
        return
    table = Table("id", "label", "access", "created", "last used", "calls today", "calls total")
    for k in rows:
        table.add_row(
            k.public_id,
            k.label,
            "read-only" if k.is_read_only else "full",
            k.created_at.strftime("%Y-%m-%d %H:%M"),
            k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "never",
            str(usage.get(k.id, 0)),
            str(k.total_calls),
        )
    # Piped output has no terminal width: let the table take what its content needs
    # rather than Rich's 80 columns, which would fold the key ids `keys revoke` takes.
    (console if console.is_terminal else Console(width=200)).print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id.")], org: OrgOption = None
) -> None:
    """Revoke an API key; calls with it fail with 403 from then on."""
    container = _container()
    migrate.upgrade(container.settings.database_url)  # a fresh file: tables first
    try:
        with container.sessions.transaction() as session:
            org_row = orgs.get_org(session, org)
            orgs.revoke_api_key(session, org_row.id, key_id, by=None, now=container.clock.now())
    except OnCallError as exc:
        raise fail(exc) from exc
    console.print(f"API key {key_id} revoked")
