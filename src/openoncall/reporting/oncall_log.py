"""The on-call log of a team: who was on call for which policy, when, and for how long.

Built from the same calculator output as on-call now and the schedules (final spans after
overrides and takes), so the three agree. Times are served live, not "up to 15 minutes behind"
as the vendor's historical log is (NOTES (e) 12). Past intervals are computed from today's
rotations plus every stored override and take: a rotation edited since is not replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.errors import InvalidInput
from openoncall.overrides.service import MAX_YEAR, MIN_YEAR, get_user
from openoncall.policies.models import EscalationPolicy
from openoncall.policies.service import get_team
from openoncall.schedules.service import policies_oncall
from openoncall.schedules.views import final_spans, union, user_intervals

MAX_RANGE = timedelta(days=366)
_INSTANT = TypeAdapter(datetime)


@dataclass(frozen=True, slots=True)
class Interval:
    on: datetime
    off: datetime
    policy: EscalationPolicy

    @property
    def duration(self) -> timedelta:
        return self.off - self.on


@dataclass(frozen=True, slots=True)
class UserLog:
    username: str
    total: timedelta
    adjusted_total: timedelta
    log: list[Interval]


@dataclass(frozen=True, slots=True)
class OnCallLog:
    team_slug: str
    start: datetime
    end: datetime
    users: list[UserLog]


def parse_bound(value: str | None, *, field: str, default: datetime) -> datetime:
    """An ISO-8601 date-time (UTC when it has no offset) or a bare date (its midnight UTC)."""
    if value is None or value == "":
        return default
    try:
        parsed = _INSTANT.validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(f"Invalid ISO-8601 date-time: {value!r}", field=field) from exc
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise InvalidInput(f"{field} must be between {MIN_YEAR} and {MAX_YEAR}", field=field)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def default_window(now: datetime) -> tuple[datetime, datetime]:
    """Today in UTC: midnight to 23:59:59, as the vendor defaults."""
    midnight = datetime.combine(now.astimezone(UTC).date(), time(0, 0), tzinfo=UTC)
    return midnight, midnight + timedelta(days=1) - timedelta(seconds=1)


def team_oncall_log(
    session: Session,
    org_id: int,
    team_slug: str,
    *,
    start: str | None,
    end: str | None,
    username: str | None,
    now: datetime,
) -> OnCallLog:
    """Each user's continuous on-call intervals per policy of the team within [start, end).

    `total` adds the intervals up; `adjustedTotal` counts time on call for several policies at
    once only once.
    """
    team = get_team(session, org_id, team_slug)
    default_start, default_end = default_window(now)
    start_at = parse_bound(start, field="start", default=default_start)
    end_at = parse_bound(end, field="end", default=default_end)
    if end_at <= start_at:
        raise InvalidInput("end must be after start", field="end")
    if end_at - start_at > MAX_RANGE:
        raise InvalidInput("The range may be at most 366 days", field="end")
    only = get_user(session, org_id, username, field="userName").username if username else None
    policies = session.scalars(
        select(EscalationPolicy)
        .where(EscalationPolicy.org_id == org_id, EscalationPolicy.team_id == team.id)
        .order_by(EscalationPolicy.id)
    ).all()
    pictures = policies_oncall(
        session, org_id, [p.id for p in policies], start=start_at, end=end_at, now=now
    )
    per_user: dict[str, list[Interval]] = {}
    for policy in policies:
        if policy.id not in pictures:
            continue
        for user, intervals in user_intervals(final_spans(pictures[policy.id])).items():
            if only is None or user == only:
                per_user.setdefault(user, []).extend(
                    Interval(on, off, policy) for on, off in intervals
                )
    users = []
    for user in sorted(per_user):
        log = sorted(per_user[user], key=lambda i: (i.on, i.policy.id))
        adjusted = union([(i.on, i.off) for i in log])
        users.append(
            UserLog(
                username=user,
                total=sum((i.duration for i in log), timedelta()),
                adjusted_total=sum((off - on for on, off in adjusted), timedelta()),
                log=log,
            )
        )
    return OnCallLog(team_slug=team.slug, start=start_at, end=end_at, users=users)
