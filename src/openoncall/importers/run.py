"""One import, end to end: read the source, apply it (or plan it), and optionally verify."""

from __future__ import annotations

from dataclasses import dataclass

from openoncall.container import Container
from openoncall.importers import splunk
from openoncall.importers.apply import Applier, Progress, Report
from openoncall.importers.source_http import SourceClient
from openoncall.importers.verify import Verification, verify
from openoncall.orgs import service as orgs


@dataclass(frozen=True, slots=True)
class Outcome:
    report: Report
    verification: Verification | None
    source_calls: int
    waited_seconds: float


def import_splunk(
    container: Container,
    client: SourceClient,
    *,
    org: str | None,
    source_name: str,
    dry_run: bool,
    check: bool,
    progress: Progress | None = None,
) -> Outcome:
    report_progress = progress or (lambda _k, _d, _t: None)
    source = splunk.read(client, name=source_name, progress=report_progress)
    with container.sessions.transaction(write=False) as session:
        org_id = orgs.get_org(session, org).id
    applier = Applier(
        sessions=container.sessions,
        clock=container.clock,
        org_id=org_id,
        source=source,
        dry_run=dry_run,
        invite=container.settings.smtp_url is not None,
        progress=report_progress,
    )
    report = applier.run()
    checked = None
    if check and not dry_run:
        steps = {t.id: 0 for t in source.teams}
        for policy in source.policies:
            steps[policy.team] = max(steps.get(policy.team, 0), len(policy.steps))
        with container.sessions.transaction(write=False) as session:
            checked = verify(
                client,
                session,
                org_id,
                source_name=source_name,
                source_teams=steps,
                now=container.clock.now(),
            )
    return Outcome(report, checked, client.calls, client.waited_seconds)
