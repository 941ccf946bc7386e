"""`openoncall import splunk-oncall`: move an organization in, safe to re-run."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from openoncall.command_line import (
    JsonOption,
    OrgOption,
    command_container,
    command_group,
    console,
    err,
    example_text,
    fail,
)
from openoncall.errors import OnCallError
from openoncall.importers import splunk
from openoncall.importers.run import Outcome, import_splunk
from openoncall.importers.source_http import SourceError

EXAMPLE = "SPLUNK_ONCALL_API_KEY=... openoncall import splunk-oncall --api-id 1a2b3c4d --dry-run"
import_app = command_group(
    "Move in from another on-call tool (safe to re-run: a second run updates).", EXAMPLE
)


@import_app.command("splunk-oncall", epilog=example_text(EXAMPLE))
def splunk_oncall(  # noqa: PLR0917  (typer passes options by position)
    api_id: Annotated[str, typer.Option("--api-id", help="The source's API ID.")],
    api_key: Annotated[
        str, typer.Option("--api-key", envvar="SPLUNK_ONCALL_API_KEY", help="The source's API key.")
    ],
    url: Annotated[
        str, typer.Option("--url", help="The source API.")
    ] = "https://api.victorops.com",
    org: OrgOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; change nothing.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--verify", help="Compare on-call now and for 14 days with the source."),
    ] = False,
    calls_per_minute: Annotated[
        int | None,
        typer.Option(
            "--calls-per-minute",
            min=1,
            help="Read faster or slower than the vendor's published limits (60, 20 for profiles).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import users (contacts, paging policies), teams, rotations, escalation policies,
    routing keys, overrides and webhooks from Splunk On-Call (or another OpenOnCall).

    Example: openoncall import splunk-oncall --api-id ID --api-key KEY --dry-run
    """
    client = splunk.client(url, api_id, api_key, calls_per_minute=calls_per_minute)
    bars = Progress(
        TextColumn("{task.description:>12}"), BarColumn(), MofNCompleteColumn(), console=err
    )
    tasks: dict[str, TaskID] = {}

    def progress(kind: str, done: int, total: int) -> None:
        if kind not in tasks:
            tasks[kind] = bars.add_task(kind, total=total)
        bars.update(tasks[kind], completed=done, total=total)

    try:
        with command_container() as container, bars:
            outcome = import_splunk(
                container,
                client,
                org=org,
                source_name=f"{splunk.NAME}:{url.rstrip('/')}:{api_id}",
                dry_run=dry_run,
                check=check,
                progress=progress,
            )
    except OnCallError as exc:
        raise fail(exc, as_json=as_json) from exc
    except SourceError as exc:
        err.print(f"[red]The source refused:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        client.close()
    _print(outcome, as_json=as_json)
    if outcome.verification is not None and outcome.verification.mismatches:
        raise typer.Exit(1)


def _print(outcome: Outcome, *, as_json: bool) -> None:
    report, checked = outcome.report, outcome.verification
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "dryRun": report.dry_run,
                    "actions": [
                        {"kind": a.kind, "id": a.source_id, "op": a.op, "note": a.note}
                        for a in report.actions
                    ],
                    "leftOut": [
                        {"kind": x.kind, "id": x.id, "reason": x.reason} for x in report.left_out
                    ],
                    "webhookSecrets": report.webhook_secrets,
                    "verify": None
                    if checked is None
                    else {
                        "policies": checked.policies,
                        "instants": checked.instants,
                        "mismatches": len(checked.mismatches),
                    },
                    "sourceCalls": outcome.source_calls,
                }
            )
        )
        return
    title = "Plan (nothing changed)" if report.dry_run else "Import"
    table = Table("kind", "source id", "action", "note", title=title)
    for a in report.actions:
        if a.op != "unchanged":
            table.add_row(a.kind, a.source_id, a.op, a.note)
    console.print(table)
    console.print(
        f"{report.count('create')} to create, {report.count('update')} to update, "
        f"{report.count('unchanged')} unchanged, {report.count('skip')} skipped"
        if report.dry_run
        else f"{report.count('create')} created, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged, {report.count('skip')} skipped"
    )
    for x in report.left_out:
        console.print(f"left out: {x.kind} {x.id}: {x.reason}")
    for slug, secret in report.webhook_secrets.items():
        console.print(f"webhook {slug}: new signing secret {secret} (shown once)")
    if checked is not None:
        verdict = "match" if not checked.mismatches else f"{len(checked.mismatches)} mismatches"
        console.print(
            f"verify: {checked.policies} policies at {checked.instants} instants: {verdict}"
        )
        for m in checked.mismatches[:20]:
            console.print(f"  {m.policy} at {m.at.isoformat()}: source {m.source}, here {m.here}")
