"""After an import: does OpenOnCall say the same as the source about who is on call, now and
for the next 14 days? Compared per team and escalation policy at every instant where either
side's on-call changes, and every hour between.

The source's answer is its v2 team schedule (rotation rolls, with its overrides on top); ours
is the calculator every view here uses. A policy's on-call is its rotation_group entries in
any step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.importers.models import ImportedObject
from openoncall.importers.source_http import SourceClient
from openoncall.policies.models import EscalationPolicy
from openoncall.schedules.service import policies_oncall
from openoncall.schedules.views import final_spans

DAYS = 14
Intervals = list[tuple[datetime, datetime, str]]  # [start, end) -> username


@dataclass(frozen=True, slots=True)
class Mismatch:
    policy: str  # the source's policy slug
    at: datetime
    source: tuple[str, ...]
    here: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Verification:
    policies: int
    instants: int
    mismatches: list[Mismatch]


def source_intervals(client: SourceClient, team: str, steps: int) -> dict[str, Intervals]:
    """Per source policy slug: who its schedule says is on call, over the next 14 days."""
    found: dict[str, Intervals] = defaultdict(list)
    for step in range(steps):
        body = client.get(
            "/api-public/v2/team/{team}/oncall/schedule",
            {"daysForward": str(DAYS), "step": str(step)},
            team=team,
        )
        for schedule in body.get("schedules", []):
            slug = schedule["policy"]["slug"]
            overrides = [
                (
                    datetime.fromisoformat(o["start"]),
                    datetime.fromisoformat(o["end"]),
                    o["origOnCallUser"]["username"],
                    o["overrideOnCallUser"]["username"],
                )
                for o in schedule.get("overrides", [])
            ]
            for entry in schedule.get("schedule", []):
                if entry.get("onCallType") != "rotation_group":
                    continue
                for roll in entry.get("rolls", []):
                    found[slug].extend(
                        _with_overrides(
                            datetime.fromisoformat(roll["start"]),
                            datetime.fromisoformat(roll["end"]),
                            roll["onCallUser"]["username"],
                            overrides,
                        )
                    )
    return found


def _with_overrides(
    start: datetime, end: datetime, user: str, overrides: list[tuple[datetime, datetime, str, str]]
) -> Intervals:
    """A roll cut where an override of its user starts and ends, the override's user inside."""
    cuts = sorted(
        {start, end}
        | {t for o in overrides if o[2] == user for t in (o[0], o[1]) if start < t < end}
    )
    pieces: Intervals = []
    for a, b in pairwise(cuts):
        holder = next((o[3] for o in overrides if o[2] == user and o[0] <= a < o[1]), user)
        pieces.append((a, b, holder))
    return pieces


def local_intervals(
    session: Session, org_id: int, policy_slugs: list[str], now: datetime
) -> dict[str, Intervals]:
    """Per local policy slug: who is on call over the next 14 days, after overrides and takes."""
    rows = session.scalars(
        select(EscalationPolicy).where(
            EscalationPolicy.org_id == org_id, EscalationPolicy.slug.in_(policy_slugs)
        )
    ).all()
    pictures = policies_oncall(
        session, org_id, [p.id for p in rows], start=now, end=now + timedelta(days=DAYS), now=now
    )
    return {
        p.slug: [(s.start, s.end, s.username) for s in final_spans(pictures[p.id])]
        for p in rows
        if p.id in pictures
    }


def compare(
    source: dict[str, Intervals], here: dict[str, Intervals], now: datetime
) -> tuple[int, list[Mismatch]]:
    """Who is on call per policy at each instant that matters; `here` is keyed like `source`."""
    end = now + timedelta(days=DAYS)
    instants = {now + timedelta(hours=h) for h in range(DAYS * 24)}
    for intervals in (*source.values(), *here.values()):
        instants.update(t for a, b, _u in intervals for t in (a, b) if now <= t < end)
    mismatches = []
    for slug in sorted(set(source) | set(here)):
        for at in sorted(instants):
            theirs = _at(source.get(slug, []), at)
            ours = _at(here.get(slug, []), at)
            if theirs != ours:
                mismatches.append(Mismatch(slug, at, theirs, ours))
    return len(instants), mismatches


def _at(intervals: Intervals, at: datetime) -> tuple[str, ...]:
    return tuple(sorted({u for a, b, u in intervals if a <= at < b}))


def verify(
    client: SourceClient,
    session: Session,
    org_id: int,
    *,
    source_name: str,
    source_teams: dict[str, Any],
    now: datetime,
) -> Verification:
    """`source_teams`: source team slug -> how many steps its policies have at most."""
    rows = session.execute(
        select(ImportedObject.source_id, ImportedObject.local_id).where(
            ImportedObject.org_id == org_id,
            ImportedObject.source == source_name,
            ImportedObject.kind == "policy",
        )
    )
    mapped = {str(r[0]): str(r[1]) for r in rows}
    theirs: dict[str, Intervals] = {}
    for team, steps in source_teams.items():
        theirs.update(source_intervals(client, team, steps))
    local = local_intervals(session, org_id, list(mapped.values()), now)
    ours = {source: local.get(here, []) for source, here in mapped.items()}
    # A policy whose rotations nobody covers has no schedule at the source: compare it empty.
    for slug in mapped:
        theirs.setdefault(slug, [])
    instants, mismatches = compare(theirs, ours, now)
    return Verification(policies=len(mapped), instants=instants, mismatches=mismatches)
