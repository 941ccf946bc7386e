"""Who is on call right now in every team and policy of an organization, and until when.

Shared by `GET /api-public/v1/oncall/current` (which caches the answer, see
`openoncall.schedules.cache`), the CLI's `openoncall oncall now` and the web UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.policies.models import EscalationPolicy
from openoncall.schedules.service import policies_oncall
from openoncall.schedules.views import next_change, users_now
from openoncall.teams.models import Team

# The answer is computed over [now, now + the first of these that holds a change): a day
# finds the next handoff of most rotations at the price of one day's spans; weekly and longer
# rotations need the wider windows. Nothing changing within a year: the answer holds a year.
HORIZONS = (timedelta(days=1), timedelta(days=8), timedelta(days=43), timedelta(days=366))


@dataclass(frozen=True, slots=True)
class PolicyNow:
    name: str
    slug: str
    usernames: list[str]


@dataclass(frozen=True, slots=True)
class TeamNow:
    name: str
    slug: str
    policies: list[PolicyNow]


@dataclass(frozen=True, slots=True)
class OnCallNow:
    teams: list[TeamNow]
    # The next handoff (anyone's on-call starting or ending), None if none within a year.
    next_handoff: datetime | None
    # Until when this answer holds: the next handoff, else the end of the year searched.
    valid_until: datetime


def teams_with_policies(
    session: Session, org_id: int, team_ids: list[int] | None = None
) -> list[tuple[Team, list[EscalationPolicy]]]:
    """The organization's teams (or the given ones) by name, each with its policies by age."""
    query = select(Team).where(Team.org_id == org_id).order_by(Team.name, Team.id)
    if team_ids is not None:
        query = query.where(Team.id.in_(team_ids))
    teams = session.scalars(query).all()
    by_team: dict[int, list[EscalationPolicy]] = {t.id: [] for t in teams}
    policy_query = (
        select(EscalationPolicy)
        .where(EscalationPolicy.org_id == org_id)
        .order_by(EscalationPolicy.id)
    )
    if team_ids is not None:
        policy_query = policy_query.where(EscalationPolicy.team_id.in_(team_ids))
    policies = session.scalars(policy_query).all()
    for policy in policies:
        if policy.team_id in by_team:
            by_team[policy.team_id].append(policy)
    return [(t, by_team[t.id]) for t in teams]


def oncall_now(session: Session, org_id: int, now: datetime) -> OnCallNow:
    teams = teams_with_policies(session, org_id)
    ids = [p.id for _team, policies in teams for p in policies]
    for horizon in HORIZONS:
        pictures = policies_oncall(session, org_id, ids, start=now, end=now + horizon, now=now)
        handoff = next_change(pictures.values(), now)
        if handoff is not None:
            break
    return OnCallNow(
        teams=[
            TeamNow(
                name=team.name,
                slug=team.slug,
                policies=[
                    PolicyNow(p.name, p.slug, users_now(pictures[p.id]))
                    for p in policies
                    if p.id in pictures
                ],
            )
            for team, policies in teams
        ],
        next_handoff=handoff,
        valid_until=handoff or now + horizon,
    )
