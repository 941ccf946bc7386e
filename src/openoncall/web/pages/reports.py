"""Reports: MTTA/MTTR per team and routing key, incidents over time, on-call hours and
off-hours pages per person, as charts (chart.js from npm, served locally) and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import Response

from openoncall.auth.deps import DbSession, Now
from openoncall.errors import InvalidInput
from openoncall.web.deps import ViewerDep, render, web_router
from openoncall.web.reports import Report, build_report

router = web_router()

PERIODS = (7, 30, 90)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_KINDS = ("teams", "routing-keys", "daily", "people")


def _report(session: DbSession, org_id: int, now: datetime, days: int, tz: str) -> Report:
    if days not in PERIODS:
        raise InvalidInput(f"days must be one of {', '.join(map(str, PERIODS))}", field="days")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone {tz}", field="tz") from exc
    # Whole local days: from midnight `days - 1` days ago to the end of today.
    today = now.astimezone(zone).date()
    start = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return build_report(session, org_id, start=start, end=end, zone=tz, now=now)


@router.get("/reports")
def reports_page(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    days: int = 30,
    tz: str = "UTC",
) -> Response:
    report = _report(session, viewer.org.id, now, days, tz)
    chart_data = {
        "daily": {
            "labels": [d.isoformat() for d, _n in report.per_day],
            "counts": [n for _d, n in report.per_day],
        },
        "teams": {
            "labels": [g.name for g in report.by_team],
            "mtta": [g.mtta_minutes for g in report.by_team],
            "mttr": [g.mttr_minutes for g in report.by_team],
        },
        "people": {
            "labels": [p.username for p in report.people],
            "hours": [p.oncall_hours for p in report.people],
            "offHours": [p.off_hours_pages for p in report.people],
        },
    }
    return render(
        request,
        "reports.html",
        {"report": report, "days": days, "tz": tz, "periods": PERIODS, "chart_data": chart_data},
        viewer=viewer,
    )


@router.get("/reports/{kind}.csv")
def reports_csv(
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    kind: str,
    days: int = 30,
    tz: str = "UTC",
) -> Response:
    if kind not in CSV_KINDS:
        raise InvalidInput(f"Unknown report {kind}", field="kind")
    report = _report(session, viewer.org.id, now, days, tz)
    out = io.StringIO()
    writer = _EscapingWriter(out)
    if kind in ("teams", "routing-keys"):
        groups = report.by_team if kind == "teams" else report.by_routing_key
        writer.writerow(
            [
                "team" if kind == "teams" else "routing_key",
                "incidents",
                "acknowledged",
                "resolved",
                "mtta_minutes",
                "mttr_minutes",
            ]
        )
        for g in groups:
            writer.writerow(
                [
                    g.name,
                    g.incidents,
                    g.acked,
                    g.resolved,
                    _blank(g.mtta_minutes),
                    _blank(g.mttr_minutes),
                ]
            )
    elif kind == "daily":
        writer.writerow(["day", "incidents"])
        writer.writerows([d.isoformat(), n] for d, n in report.per_day)
    else:
        writer.writerow(["username", "oncall_hours", "pages", "off_hours_pages"])
        writer.writerows(
            [p.username, p.oncall_hours, p.pages, p.off_hours_pages] for p in report.people
        )
    filename = f"openoncall-{kind}-{days}d.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_cell(value: object) -> object:
    """OWASP's rule: a text cell that would start a formula gets a leading quote. Numbers
    are written as numbers (a negative count is not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _EscapingWriter:
    """csv.writer whose rows pass through csv_cell."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def _blank(value: float | None) -> float | str:
    """Minutes as a number (10, not 10.0), so csv_cell never mistakes them for text."""
    if value is None:
        return ""
    return int(value) if value.is_integer() else value
