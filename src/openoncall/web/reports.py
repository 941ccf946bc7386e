"""Report figures for the Reports page and its CSV export.

MTTA and MTTR per team and per routing key, incidents per day, and per person: hours on call
(from the on-call calculator, overlapping policies counted once) and pages received outside
working hours (Monday to Friday, 09:00 to 18:00, in the chosen time zone).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.incidents.models import Incident
from openoncall.paging.models import UserPage
from openoncall.reporting.oncall_log import team_oncall_log
from openoncall.schedules.views import union
from openoncall.teams.service import list_teams
from openoncall.users.models import User
from openoncall.web.queries import paged_team_names

WORK_START = time(9, 0)
WORK_END = time(18, 0)
NO_TEAM = "(no team)"
NO_KEY = "(no routing key)"


@dataclass
class ResponseTimes:
    """Counts and mean times to acknowledge / resolve, in minutes, for one group."""

    name: str
    incidents: int = 0
    acked: int = 0
    resolved: int = 0
    _ack_seconds: float = 0.0
    _resolve_seconds: float = 0.0

    def add(self, incident: Incident) -> None:
        self.incidents += 1
        if incident.acked_at is not None:
            self.acked += 1
            self._ack_seconds += (incident.acked_at - incident.started_at).total_seconds()
        if incident.resolved_at is not None:
            self.resolved += 1
            self._resolve_seconds += (incident.resolved_at - incident.started_at).total_seconds()

    @property
    def mtta_minutes(self) -> float | None:
        return round(self._ack_seconds / self.acked / 60, 1) if self.acked else None

    @property
    def mttr_minutes(self) -> float | None:
        return round(self._resolve_seconds / self.resolved / 60, 1) if self.resolved else None


@dataclass
class PersonFigures:
    username: str
    oncall_hours: float = 0.0
    pages: int = 0
    off_hours_pages: int = 0


@dataclass
class Report:
    start: datetime
    end: datetime
    zone: str
    by_team: list[ResponseTimes]
    by_routing_key: list[ResponseTimes]
    per_day: list[tuple[date, int]]
    people: list[PersonFigures] = field(default_factory=list)


def is_off_hours(at: datetime, zone: ZoneInfo) -> bool:
    local = at.astimezone(zone)
    return local.weekday() >= 5 or not WORK_START <= local.time() < WORK_END


def _grouped(groups: dict[str, ResponseTimes], name: str) -> ResponseTimes:
    if name not in groups:
        groups[name] = ResponseTimes(name)
    return groups[name]


def build_report(
    session: Session, org_id: int, *, start: datetime, end: datetime, zone: str, now: datetime
) -> Report:
    tz = ZoneInfo(zone)
    incidents = list(
        session.scalars(
            select(Incident)
            .where(
                Incident.org_id == org_id, Incident.started_at >= start, Incident.started_at < end
            )
            .order_by(Incident.started_at)
        )
    )
    teams = paged_team_names(session, org_id, [i.id for i in incidents])
    by_team: dict[str, ResponseTimes] = {}
    by_key: dict[str, ResponseTimes] = {}
    days: Counter[date] = Counter()
    for incident in incidents:
        for team in teams.get(incident.id) or [NO_TEAM]:
            _grouped(by_team, team).add(incident)
        _grouped(by_key, incident.routing_key or NO_KEY).add(incident)
        days[incident.started_at.astimezone(tz).date()] += 1
    first_day, last_day = (
        start.astimezone(tz).date(),
        (end - timedelta(seconds=1)).astimezone(tz).date(),
    )
    per_day = [
        (first_day + timedelta(days=n), days[first_day + timedelta(days=n)])
        for n in range((last_day - first_day).days + 1)
    ]
    return Report(
        start=start,
        end=end,
        zone=zone,
        by_team=sorted(by_team.values(), key=lambda g: g.name),
        by_routing_key=sorted(by_key.values(), key=lambda g: g.name),
        per_day=per_day,
        people=_people(session, org_id, start=start, end=min(end, now), tz=tz, now=now),
    )


def _people(
    session: Session, org_id: int, *, start: datetime, end: datetime, tz: ZoneInfo, now: datetime
) -> list[PersonFigures]:
    figures: dict[str, PersonFigures] = {}
    intervals: defaultdict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    if end > start:
        for team in list_teams(session, org_id):
            log = team_oncall_log(
                session,
                org_id,
                team.slug,
                start=start.isoformat(),
                end=end.isoformat(),
                username=None,
                now=now,
            )
            for user_log in log.users:
                intervals[user_log.username].extend((i.on, i.off) for i in user_log.log)
    for username, spans in intervals.items():
        hours = _hours(union(spans))
        figures[username] = PersonFigures(username, oncall_hours=hours)
    pages = session.execute(
        select(User.username, UserPage.created_at)
        .join(User, User.id == UserPage.user_id)
        .where(UserPage.org_id == org_id, UserPage.created_at >= start, UserPage.created_at < end)
    ).all()
    for username, at in pages:
        person = figures.setdefault(username, PersonFigures(username))
        person.pages += 1
        if is_off_hours(at, tz):
            person.off_hours_pages += 1
    return sorted(figures.values(), key=lambda p: p.username)


def _hours(spans: Iterable[tuple[datetime, datetime]]) -> float:
    return round(sum((off - on).total_seconds() for on, off in spans) / 3600, 1)
