"""The `openoncall` command: serve, db, bootstrap, keys, the API's resources, alerts, tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer

from openoncall import __version__
from openoncall.command_line import (
    JsonOption,
    JsonUsageErrors,
    LogFormatOption,
    OrgOption,
    command_container,
    command_group,
    configured_settings,
    console,
    err,
    example_text,
    fail,
    print_table,
)
from openoncall.container import Container, build_container
from openoncall.db import backup, migrate
from openoncall.engine.commands import engine_command
from openoncall.engine.runner import attach_to_app
from openoncall.errors import Conflict, InvalidInput, OnCallError
from openoncall.importers.commands import import_app
from openoncall.notify.trial import send_trial, trial_targets
from openoncall.orgs import service as orgs
from openoncall.resource_commands import RESOURCE_GROUPS
from openoncall.schedules.commands import oncall_app
from openoncall.settings import Settings
from openoncall.webhooks.commands import webhooks_app

app = command_group(
    "OpenOnCall: on-call and incident response.",
    "openoncall bootstrap --org Acme --admin ada --email ada@acme.example\n"
    "openoncall serve --port 8080",
    cls=JsonUsageErrors,
)
db_app = command_group("Database schema.", "openoncall db upgrade")
keys_app = command_group("API keys (X-VO-Api-Key).", "openoncall keys create --read-only")
alert_app = command_group(
    "Alerts: send a test alert through the REST endpoint.",
    "openoncall alert send --routing-key database --message-type CRITICAL",
)
notify_app = command_group(
    "Notifications: test a user's contact methods.", "openoncall notify test bob"
)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(oncall_app, name="oncall")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(import_app, name="import")
for name, group in RESOURCE_GROUPS.items():
    app.add_typer(group, name=name)
app.add_typer(alert_app, name="alert")
app.add_typer(notify_app, name="notify")
app.command(
    "engine",
    epilog=example_text("OPENONCALL_DATABASE_URL=postgresql://... openoncall engine"),
)(engine_command)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"openoncall {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """OpenOnCall: on-call and incident response. Settings come from OPENONCALL_*
    environment variables (OPENONCALL_DATABASE_URL first of all)."""


def _container() -> Container:
    return build_container(configured_settings())


@app.command(epilog=example_text("openoncall serve --host 0.0.0.0 --port 8080 --smtp-port 2525"))
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
    """Apply pending migrations and serve HTTP (and the paging engine, unless --no-engine).

    Links in notifications use OPENONCALL_BASE_URL; unset, http://HOST:PORT of this command."""
    import uvicorn

    from openoncall.app import create_app

    settings = configured_settings(log_format=log_format, access_log=access_log)
    base_from_env = "base_url" in settings.model_fields_set
    if not base_from_env:
        settings = settings.model_copy(update={"base_url": local_url(host, port)})
    # Bind first: a port in use is reported before anything says "serving".
    sock = bind_or_exit(host, port, "HTTP")
    if smtp_port is not None:
        bind_or_exit(host, smtp_port, "SMTP (--smtp-port)").close()
    container = build_container(settings)
    migrate.upgrade(container.settings.database_url)
    container.run_engine = not no_engine
    attach_to_app(container)
    with container.sessions.transaction(write=False) as session:
        if orgs.count_orgs(session) == 0:
            console.print(
                "No organization exists yet. Create one with (it asks for the password):\n"
                f"  {command_name()} bootstrap --org ORG --admin USERNAME --email EMAIL --json"
            )
    if smtp_port is not None:
        from openoncall.alerts.email_listener import install_email_listener

        install_email_listener(container, host=host, port=smtp_port)
    for line in banner(settings, host=host, smtp_port=smtp_port, base_from_env=base_from_env):
        console.print(line, highlight=False)
    console.print(f"OpenOnCall serving on http://{host}:{port}  (API docs: /api-docs)")
    # log_config=None: uvicorn's own lines go through our handler, in the chosen format; its
    # access log is replaced by ours, which redacts keys in alert and link URLs.
    config = uvicorn.Config(
        create_app(container),
        host=host,
        port=port,
        log_level="warning",
        log_config=None,
        access_log=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


WILDCARD_V4 = "0.0.0.0"  # noqa: S104  (named, not bound: --host decides)


def command_name() -> str:
    """How to run this command again from here: `openoncall` when PATH finds this very file,
    else its path (relative to the working directory when inside it: `.venv/bin/openoncall`)."""
    me = Path(sys.argv[0]).resolve()
    found = shutil.which("openoncall")
    if found is not None and Path(found).resolve() == me:
        return "openoncall"
    if me.name != "openoncall":
        return "openoncall"  # run as `python -m openoncall`: no better guess
    try:
        return str(Path(os.path.abspath(sys.argv[0])).relative_to(Path.cwd()))
    except ValueError:
        return str(Path(os.path.abspath(sys.argv[0])))


def local_url(host: str, port: int) -> str:
    """http://HOST:PORT as a browser on this machine reaches it (a wildcard address becomes
    the loopback one)."""
    shown = {WILDCARD_V4: "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def bind_or_exit(host: str, port: int, what: str) -> socket.socket:
    """A socket bound to host:port, or a one-line error and exit status 1."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        err.print(
            f"Cannot listen for {what} on {host}:{port}: {exc.strerror or exc}. "
            "Choose another port, or stop what uses this one.",
            highlight=False,
        )
        raise typer.Exit(1) from None
    sock.set_inheritable(True)
    return sock


def banner(
    settings: Settings, *, host: str, smtp_port: int | None, base_from_env: bool
) -> list[str]:
    """What this server will do, as configured: its link address, channels, email endpoint."""
    origin = "OPENONCALL_BASE_URL" if base_from_env else "--host/--port; set OPENONCALL_BASE_URL"
    lines = [f"Links in notifications: {settings.base_url}  ({origin})"]
    if not base_from_env and host in (WILDCARD_V4, "::", ""):
        lines.append(
            "  Listening on every address: set OPENONCALL_BASE_URL to the address people use."
        )
    configured, missing = [], []
    if settings.smtp_url is not None:
        smtp = urlsplit(settings.smtp_url.get_secret_value())
        configured.append(f"email via {smtp.hostname}:{smtp.port or 25}")
    else:
        missing.append("email (OPENONCALL_SMTP_URL)")
    if settings.sms_account_sid and settings.sms_auth_token is not None and settings.sms_from:
        configured.append("SMS and voice")
    else:
        missing.append("SMS and voice (OPENONCALL_SMS_*)")
    if settings.push_url:
        configured.append("push")
    else:
        missing.append("push (OPENONCALL_PUSH_URL)")
    lines.append("Sends pages by: " + (", ".join(configured) or "nothing yet") + ", webhooks")
    if missing:
        lines.append(
            "Not configured, recorded in the incident timeline instead: " + ", ".join(missing)
        )
    if smtp_port is not None:
        lines.append(f"Email alerts: SMTP on {host}:{smtp_port} to KEY+ROUTINGKEY@…")
    else:
        lines.append("Email alerts: off (--smtp-port PORT accepts them over SMTP)")
    return lines


@db_app.command("upgrade", epilog=example_text("openoncall db upgrade"))
def db_upgrade() -> None:
    """Apply pending migrations."""
    settings = configured_settings()
    migrate.upgrade(settings.database_url)
    console.print("database is up to date")


@db_app.command(
    "backup", epilog=example_text("openoncall db backup /var/backups/openoncall-$(date +%F).db")
)
def db_backup(
    path: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Back up the database while OpenOnCall runs (SQLite online backup, or pg_dump)."""
    settings = configured_settings()
    if path.exists() and not force:
        err.print(f"[red]error:[/red] {path} exists (--force replaces it)")
        raise typer.Exit(code=1)
    try:
        how = backup.backup(settings.database_url, path)
    except backup.BackupFailed as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(f"backup written to {path} ({how})")


def _refuse_second_org(container: Container, *, another_org: bool, as_json: bool) -> None:
    with container.sessions.transaction(write=False) as session:
        if another_org or orgs.count_orgs(session) == 0:
            return
    error = Conflict(
        "An organization exists already: bootstrap creates the first one "
        "(pass --another-org to create one more)",
        field="another-org",
    )
    raise fail(error, as_json=as_json)


@app.command(
    epilog=example_text(
        "openoncall bootstrap --org Acme --admin ada --email ada@acme.example --json"
    )
)
def bootstrap(
    *,
    org: Annotated[str, typer.Option("--org", help="Organization name.")],
    admin: Annotated[str, typer.Option("--admin", help="Admin username.")],
    email: Annotated[str, typer.Option("--email", help="Admin email.")],
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Admin password (at least 12 characters, not a common one). Without it the "
            "command asks, hiding what is typed; on the command line it shows in `ps`.",
        ),
    ] = None,
    another_org: Annotated[
        bool,
        typer.Option("--another-org", help="Create an organization when one exists already."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the first organization, its admin, a full-access API key and endpoint keys."""
    container = _container()
    migrate.upgrade(container.settings.database_url)
    _refuse_second_org(container, another_org=another_org, as_json=as_json)
    if password is None:
        password = typer.prompt(
            "Admin password", hide_input=True, confirmation_prompt=True, err=True
        )
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
        raise fail(exc, as_json=as_json) from exc
    finally:
        container.engine.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "orgSlug": done.org_slug,
                    "apiId": done.api_id,
                    "apiKey": done.api_key,
                    "restEndpointKey": done.rest_endpoint_key,
                    "emailEndpointKey": done.email_key,
                }
            )
        )
        return
    console.print(f"Organization [bold]{done.org_slug}[/bold] with admin {done.admin_username}")
    console.print(f"  X-VO-Api-Id:  {done.api_id}")
    console.print(f"  X-VO-Api-Key: {done.api_key}   (shown once)")
    console.print(f"  REST endpoint key: {done.rest_endpoint_key}   (shown once)")
    console.print(f"  Email endpoint key: {done.email_key}   (shown once)")


@keys_app.command(
    "create", epilog=example_text("openoncall keys create --read-only --label grafana --json")
)
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
        raise fail(exc, as_json=as_json) from exc
    if as_json:
        typer.echo(json.dumps({"id": key.id, "apiKey": key.api_key, "readOnly": key.is_read_only}))
        return
    kind = "read-only" if key.is_read_only else "full access"
    console.print(f"API key {key.id} ({kind}): {key.api_key}   (shown once)")


@keys_app.command("list", epilog=example_text("openoncall keys list"))
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
        raise fail(exc, as_json=as_json) from exc
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
    print_table(
        ["id", "label", "access", "created", "last used", "calls today", "calls total"],
        [
            (
                k.public_id,
                k.label,
                "read-only" if k.is_read_only else "full",
                k.created_at.strftime("%Y-%m-%d %H:%M"),
                k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "never",
                usage.get(k.id, 0),
                k.total_calls,
            )
            for k in rows
        ],
    )


@keys_app.command("revoke", epilog=example_text("openoncall keys revoke key-ab12cd"))
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke an API key; calls with it fail with 403 from then on."""
    container = _container()
    migrate.upgrade(container.settings.database_url)  # a fresh file: tables first
    try:
        with container.sessions.transaction() as session:
            org_row = orgs.get_org(session, org)
            orgs.revoke_api_key(session, org_row.id, key_id, by=None, now=container.clock.now())
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
    if as_json:
        typer.echo(json.dumps({"revoked": key_id}))
        return
    console.print(f"API key {key_id} revoked")


ALERT_PATH = "/integrations/generic/20131114/alert"


@alert_app.command(
    "send",
    epilog=example_text(
        "OPENONCALL_REST_KEY=... openoncall alert send --routing-key database "
        "--message-type CRITICAL --entity-id disk-full --message 'test page'"
    ),
)
def alert_send(
    *,
    routing_key: Annotated[
        str, typer.Option("--routing-key", help="Which policies it pages (see routing-keys).")
    ] = "default",
    message_type: Annotated[
        str,
        typer.Option(
            "--message-type", help="CRITICAL opens an incident; WARNING, INFO, RECOVERY..."
        ),
    ] = "CRITICAL",
    entity_id: Annotated[
        str, typer.Option("--entity-id", help="What the alert is about.")
    ] = "openoncall-test-alert",
    message: Annotated[
        str, typer.Option("--message", help="state_message: the text people read.")
    ] = "Test alert sent by `openoncall alert send`",
    url: Annotated[
        str | None,
        typer.Option(
            "--url", envvar="OPENONCALL_URL", help="The server (default OPENONCALL_BASE_URL)."
        ),
    ] = None,
    rest_key: Annotated[
        str,
        typer.Option(
            "--rest-key",
            envvar="OPENONCALL_REST_KEY",
            help="The REST endpoint key bootstrap printed (better in OPENONCALL_REST_KEY).",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Send an alert through the server's REST endpoint, as a monitoring tool would."""
    base = (url or configured_settings().base_url).rstrip("/")
    body = {
        "message_type": message_type,
        "entity_id": entity_id,
        "state_message": message,
        "monitoring_tool": "openoncall-cli",
    }
    try:
        response = httpx.post(f"{base}{ALERT_PATH}/{rest_key}/{routing_key}", json=body, timeout=30)
    except httpx.HTTPError as exc:
        raise fail(
            OnCallError(f"{base} did not answer: {exc}", field="url"), as_json=as_json
        ) from exc
    try:
        answer: Any = response.json()
    except ValueError:
        answer = {"message": response.text}
    if response.status_code >= 400:
        text = answer.get("message") or answer.get("error") if isinstance(answer, dict) else answer
        error = OnCallError(f"HTTP {response.status_code}: {text}", field=None)
        raise fail(error, as_json=as_json)
    if as_json:
        typer.echo(json.dumps(answer))
        return
    result, entity = answer.get("result", "success"), answer.get("entity_id", entity_id)
    console.print(f"Alert accepted: {result}, entity_id {entity}")


@notify_app.command("test", epilog=example_text("openoncall notify test bob --json"))
def notify_test(
    username: Annotated[str, typer.Argument(help="Whose contact methods.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send a test page on each of a user's contact methods, through the channels the engine
    uses; a result per method (exit 1 if any failed)."""
    try:
        with command_container() as container:
            with container.sessions.transaction(write=False) as session:
                org_row = orgs.get_org(session, org)
                targets = trial_targets(session, org_row.id, username)
            if not targets:
                raise InvalidInput(f"{username} has no contact method", field="user")
            results = send_trial(
                targets,
                settings=container.settings,
                channels=container.channels,
            )
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
    rows = [
        {"kind": r.kind, "label": r.label, "to": r.destination, "ok": r.ok, "detail": r.detail}
        for r in results
    ]
    if as_json:
        typer.echo(json.dumps({"username": username, "results": rows}))
    else:
        print_table(
            ["method", "label", "to", "sent", "detail"],
            [
                (r["kind"], r["label"], r["to"], "yes" if r["ok"] else "NO", r["detail"])
                for r in rows
            ],
        )
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)
