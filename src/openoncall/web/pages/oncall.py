"""On-call now (with Take On-Call), team schedules for the next weeks with overrides marked,
and scheduled overrides with their assignments.

Everything reads the on-call calculator (`schedules`) and writes through `overrides.service`,
the same code the public API uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import Form, Request
from fastapi.responses import Response

from openoncall.auth.actors import teams_by_user
from openoncall.auth.deps import DbSession, Now
from openoncall.auth.permissions import Action, Target
from openoncall.errors import InvalidInput
from openoncall.overrides import service as overrides
from openoncall.schedules.now import oncall_now, teams_with_policies
from openoncall.schedules.oncall import PolicySpan
from openoncall.schedules.service import policies_oncall
from openoncall.schedules.views import final_spans
from openoncall.teams.service import list_teams
from openoncall.users.models import User
from openoncall.users.service import list_users
from openoncall.web.deps import ViewerDep, redirect, render, web_router
from openoncall.web.signin import Viewer

router = web_router()

MAX_WEEKS = 8


# How far ahead the on-call page looks for the end of a shift and who comes next.
SHIFT_HORIZON = timedelta(days=43)


@dataclass(frozen=True, slots=True)
class Shift:
    """One person's current on-call on one policy: until when, and who takes over then."""

    ends_at: datetime | None  # None: not within SHIFT_HORIZON
    next_usernames: list[str]


def current_shifts(spans: list[PolicySpan], now: datetime, end: datetime) -> dict[str, Shift]:
    """For everyone on call at `now`: the end of their on-call (spans of theirs that meet or
    overlap are one), and who is on call at that moment."""
    shifts: dict[str, Shift] = {}
    for username in {s.username for s in spans if s.start <= now < s.end}:
        until = now
        grew = True
        while grew:
            grew = False
            for span in spans:
                if span.username == username and span.start <= until < span.end:
                    until, grew = span.end, True
        if until >= end:
            shifts[username] = Shift(ends_at=None, next_usernames=[])
            continue
        following = sorted({s.username for s in spans if s.start <= until < s.end})
        shifts[username] = Shift(ends_at=until, next_usernames=following)
    return shifts


@router.get("/oncall")
def oncall_page(request: Request, session: DbSession, viewer: ViewerDep, now: Now) -> Response:
    oncall = oncall_now(session, viewer.org.id, now)
    policies = [
        p
        for _t, team_policies in teams_with_policies(session, viewer.org.id)
        for p in team_policies
    ]
    end = now + SHIFT_HORIZON
    pictures = policies_oncall(
        session, viewer.org.id, [p.id for p in policies], start=now, end=end, now=now
    )
    by_slug = {
        p.slug: current_shifts(final_spans(pictures[p.id]), now, end)
        for p in policies
        if p.id in pictures
    }
    return render(
        request,
        "oncall.html",
        {"oncall": oncall, "shifts": by_slug, "horizon_days": SHIFT_HORIZON.days},
        viewer=viewer,
    )


@router.post("/oncall/take")
def take(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    policy: Annotated[str, Form()],
    from_user: Annotated[str, Form()],
) -> Response:
    """The signed-in user takes `from_user`'s on-call on the policy until their period ends."""
    me = viewer.user.username
    overrides.take_oncall(
        session,
        viewer.org.id,
        policy_slug=policy,
        from_username=from_user,
        to_username=me,
        actor=me,
        now=now,
    )
    return redirect(request, "/oncall", f"You took on-call from {from_user}.")


@dataclass(frozen=True, slots=True)
class PolicySchedule:
    name: str
    slug: str
    spans: list[PolicySpan]


@router.get("/schedules")
def schedules(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    team: str = "",
    weeks: int = 2,
) -> Response:
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks must be between 1 and {MAX_WEEKS}", field="weeks")
    teams = teams_with_policies(session, viewer.org.id)
    chosen = next((t for t, _p in teams if t.slug == team), teams[0][0] if teams else None)
    policies = next((p for t, p in teams if chosen is not None and t.id == chosen.id), [])
    end = now + timedelta(weeks=weeks)
    pictures = policies_oncall(
        session, viewer.org.id, [p.id for p in policies], start=now, end=end, now=now
    )
    schedule = [
        PolicySchedule(name=p.name, slug=p.slug, spans=final_spans(pictures[p.id]))
        for p in policies
        if p.id in pictures
    ]
    return render(
        request,
        "schedules.html",
        {
            "teams": [t for t, _p in teams],
            "team": chosen,
            "schedule": schedule,
            "weeks": weeks,
            "end": end,
        },
        viewer=viewer,
    )


def _stand_in_choices(
    viewer: Viewer, views: list[overrides.OverrideView], users: list[User], team_ids: dict[str, int]
) -> dict[tuple[str, str], list[User]]:
    """Per (override, policy), whom the viewer may pick as stand-in: anyone (admins and that
    team's admins), else themselves; an empty list shows the assignment read-only."""
    me = viewer.user
    choices: dict[tuple[str, str], list[User]] = {}
    for view in views:
        for a in view.assignments:
            team = frozenset({team_ids[a.team_slug]})
            if viewer.may(Action.ASSIGN_OVERRIDE, Target(teams=team)):
                picks = users
            elif a.username in (None, me.username) and viewer.may(
                Action.ASSIGN_OVERRIDE, Target(teams=team, user_id=me.id)
            ):
                picks = [me]
            else:
                picks = []
            choices[(view.override.public_id, a.policy_slug)] = picks
    return choices


@router.get("/overrides")
def overrides_page(request: Request, session: DbSession, viewer: ViewerDep, now: Now) -> Response:
    views = overrides.list_overrides(session, viewer.org.id, now=now)
    users = list_users(session, viewer.org.id)
    teams_of = teams_by_user(session, viewer.org.id)

    def for_person(user: User) -> Target:
        return Target(teams=teams_of.get(user.id, frozenset()), user_id=user.id)

    team_ids = {t.slug: t.id for t in list_teams(session, viewer.org.id)}
    return render(
        request,
        "overrides.html",
        {
            "overrides": views,
            "users": users,
            # Whom the viewer may create an override for: themselves, their teams' members.
            "absentees": [u for u in users if viewer.may(Action.MANAGE_OVERRIDE, for_person(u))],
            "deletable": {
                v.override.public_id
                for v in views
                if viewer.may(Action.MANAGE_OVERRIDE, for_person(v.user))
            },
            "stand_ins": _stand_in_choices(viewer, views, users, team_ids),
            "zones": sorted(available_timezones()),
            "default_zone": "UTC",
        },
        viewer=viewer,
    )


@router.post("/overrides")
def create_override(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    username: Annotated[str, Form()],
    timezone: Annotated[str, Form()],
    start: Annotated[str, Form()],
    end: Annotated[str, Form()],
) -> Response:
    """Start and end are local times in the chosen zone (the form says which)."""
    view = overrides.create_override(
        session,
        viewer.org.id,
        username=username,
        timezone=timezone,
        start=start,
        end=end,
        actor=viewer.user.username,
        by=viewer.actor,
        now=now,
    )
    count = len(view.assignments)
    return redirect(
        request,
        "/overrides",
        f"Override for {view.user.username} created with {count} polic"
        + ("y" if count == 1 else "ies")
        + " to assign.",
    )


@router.post("/overrides/{public_id}/assign")
def assign(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    public_id: str,
    policy: Annotated[str, Form()],
    username: Annotated[str, Form()] = "",
) -> Response:
    overrides.set_assignment(
        session,
        viewer.org.id,
        public_id,
        policy,
        body_policy=policy,
        username=username or None,
        actor=viewer.user.username,
        by=viewer.actor,
        now=now,
    )
    who = username or "nobody"
    return redirect(request, "/overrides", f"Policy {policy} of the override goes to {who}.")


@router.post("/overrides/{public_id}/delete")
def delete(
    request: Request, *, session: DbSession, viewer: ViewerDep, now: Now, public_id: str
) -> Response:
    overrides.delete_override(
        session, viewer.org.id, public_id, actor=viewer.user.username, by=viewer.actor, now=now
    )
    return redirect(request, "/overrides", "Override deleted.")
