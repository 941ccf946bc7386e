"""Calendar feeds: secret per-user and per-team URLs, and the on-call events they show.

A feed's token is random, shown once, stored as a hash (like an API key); creating the feed
again rotates it, so a leaked URL is revoked by asking for a new one. Events are the final
on-call (after scheduled overrides and takes), one per continuous interval per policy, built
from the same calculator output as the schedules and the on-call log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.audit.service import record_audit
from openoncall.calendar.models import CalendarFeed
from openoncall.errors import InvalidInput, NotFound
from openoncall.ids import hash_secret, new_secret
from openoncall.overrides.service import get_user
from openoncall.policies.models import EscalationPolicy
from openoncall.policies.service import get_team
from openoncall.schedules.service import policies_oncall
from openoncall.schedules.views import final_spans, user_intervals
from openoncall.teams.models import Team
from openoncall.users.models import User

FEED_PATH = "/api-ext/v1/calendar"
MAX_DAYS_BACK = 90
MAX_DAYS_FORWARD = 90


@dataclass(frozen=True, slots=True)
class NewFeed:
    token: str
    path: str


@dataclass(frozen=True, slots=True)
class OnCallEvent:
    start: datetime
    end: datetime
    username: str
    policy_slug: str
    policy_name: str
    team_slug: str
    team_name: str


@dataclass(frozen=True, slots=True)
class FeedContent:
    title: str
    events: list[OnCallEvent]


@dataclass(frozen=True, slots=True)
class _Owner:
    kind: str  # "user" or "team"
    id: int
    name: str  # username or team slug


def _owner(session: Session, org_id: int, username: str | None, team_slug: str | None) -> _Owner:
    if username:
        user = get_user(session, org_id, username, field="user")
        return _Owner("user", user.id, user.username)
    if team_slug:
        team = get_team(session, org_id, team_slug)
        return _Owner("team", team.id, team.slug)
    raise InvalidInput("A feed is for one user or one team", field="user")


def _find(session: Session, org_id: int, owner: _Owner) -> CalendarFeed | None:
    column = CalendarFeed.user_id if owner.kind == "user" else CalendarFeed.team_id
    return session.scalar(
        select(CalendarFeed).where(CalendarFeed.org_id == org_id, column == owner.id)
    )


def feed_path(token: str) -> str:
    return f"{FEED_PATH}/{token}.ics"


def issue_feed(
    session: Session,
    org_id: int,
    *,
    username: str | None = None,
    team_slug: str | None = None,
    actor: str,
    now: datetime,
) -> NewFeed:
    """Create the user's or team's feed, or rotate its token (the old URL stops working)."""
    owner = _owner(session, org_id, username, team_slug)
    feed = _find(session, org_id, owner)
    token = new_secret(24)
    if feed is None:
        feed = CalendarFeed(
            org_id=org_id,
            user_id=owner.id if owner.kind == "user" else None,
            team_id=owner.id if owner.kind == "team" else None,
            token_hash=hash_secret(token),
            created_at=now,
        )
        session.add(feed)
    else:
        feed.token_hash = hash_secret(token)
    session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="calendar.issue",
        subject_type=owner.kind,
        subject_id=owner.name,
        detail={},
        now=now,
    )
    return NewFeed(token=token, path=feed_path(token))


def revoke_feed(
    session: Session,
    org_id: int,
    *,
    username: str | None = None,
    team_slug: str | None = None,
    actor: str,
    now: datetime,
) -> None:
    owner = _owner(session, org_id, username, team_slug)
    feed = _find(session, org_id, owner)
    if feed is None:
        raise NotFound(f"No calendar feed for {owner.kind} {owner.name}", field=owner.kind)
    session.delete(feed)
    session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="calendar.revoke",
        subject_type=owner.kind,
        subject_id=owner.name,
        detail={},
        now=now,
    )


def feed_content(
    session: Session, token: str, *, now: datetime, days_back: int = 7, days_forward: int = 30
) -> FeedContent:
    """The events of the feed whose token this is; NotFound for an unknown or rotated token."""
    if not 0 <= days_back <= MAX_DAYS_BACK:
        raise InvalidInput(f"daysBack must be between 0 and {MAX_DAYS_BACK}", field="daysBack")
    if not 0 <= days_forward <= MAX_DAYS_FORWARD:
        raise InvalidInput(
            f"daysForward must be between 0 and {MAX_DAYS_FORWARD}", field="daysForward"
        )
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(token)))
    if feed is None:
        raise NotFound("Calendar feed not found", field="token")
    start, end = now - timedelta(days=days_back), now + timedelta(days=days_forward)
    org_id = feed.org_id
    if feed.team_id is not None:
        team = session.get_one(Team, feed.team_id)
        events = _events(session, org_id, start, end, now, team_id=team.id)
        return FeedContent(title=f"On call: {team.name}", events=events)
    assert feed.user_id is not None
    user = session.get_one(User, feed.user_id)
    events = [e for e in _events(session, org_id, start, end, now) if e.username == user.username]
    return FeedContent(title=f"On call: {user.display_name}", events=events)


def _events(
    session: Session,
    org_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    team_id: int | None = None,
) -> list[OnCallEvent]:
    query = (
        select(EscalationPolicy, Team)
        .join(Team, Team.id == EscalationPolicy.team_id)
        .where(EscalationPolicy.org_id == org_id)
        .order_by(EscalationPolicy.id)
    )
    if team_id is not None:
        query = query.where(EscalationPolicy.team_id == team_id)
    rows = [(p, t) for p, t in session.execute(query)]
    pictures = policies_oncall(
        session, org_id, [p.id for p, _t in rows], start=start, end=end, now=now
    )
    events: list[OnCallEvent] = []
    for policy, team in rows:
        if policy.id not in pictures:
            continue
        for username, intervals in user_intervals(final_spans(pictures[policy.id])).items():
            events.extend(
                OnCallEvent(on, off, username, policy.slug, policy.name, team.slug, team.name)
                for on, off in intervals
            )
    events.sort(key=lambda e: (e.start, e.policy_slug, e.username))
    return events
