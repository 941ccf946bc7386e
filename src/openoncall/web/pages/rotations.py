"""Rotation groups and their shifts, created in forms with the time zone explicit.

Writes go through `rotations.service` (the code behind the public rotations API); each shift
states its zone, and its start is a local wall time in that zone, as the form says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openoncall.auth.deps import DbSession, Now
from openoncall.auth.permissions import Action, Target
from openoncall.rotations import service as rotations
from openoncall.teams.service import list_teams
from openoncall.users.service import list_users
from openoncall.web.deps import ViewerDep, redirect, render, require_team_admin, web_router
from openoncall.web.signin import Viewer

router = web_router()

WEEKDAYS = {"su": False, "m": True, "t": True, "w": True, "th": True, "f": True, "sa": False}


PREVIEW_HANDOFFS = 6


@dataclass(frozen=True, slots=True)
class Handoff:
    start: datetime
    end: datetime
    username: str


@router.get("/rotations")
def rotations_page(
    request: Request, *, session: DbSession, viewer: ViewerDep, now: Now, team: str = ""
) -> Response:
    return _rotations_page(request, session=session, viewer=viewer, now=now, team=team)


def _rotations_page(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    now: datetime,
    team: str = "",
    form: dict[str, Any] | None = None,
    preview: list[Handoff] | None = None,
) -> Response:
    teams = list_teams(session, viewer.org.id)
    chosen = next((t for t in teams if t.slug == team), teams[0] if teams else None)
    groups: list[rotations.GroupView] = []
    if chosen is not None:
        found, rows = rotations.list_groups(session, viewer.org.id, chosen.slug)
        groups = rotations.describe_groups(session, viewer.org.id, found, rows, now=now)
    return render(
        request,
        "rotations.html",
        {
            "teams": teams,
            "team": chosen,
            "groups": groups,
            "users": list_users(session, viewer.org.id),
            "zones": sorted(available_timezones()),
            "may_manage": chosen is not None
            and viewer.may(Action.MANAGE_TEAM, Target(teams=frozenset({chosen.id}))),
            "form": form or {},
            "preview": preview,
        },
        viewer=viewer,
    )


@router.post("/rotations")
def create_rotation(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    team: Annotated[str, Form()],
    label: Annotated[str, Form()],
    shift_label: Annotated[str, Form()],
    timezone: Annotated[str, Form()],
    start: Annotated[str, Form()],
    duration: Annotated[int, Form()] = 7,
    members: Annotated[str, Form()] = "",
    business_hours: Annotated[bool, Form()] = False,
    preview: Annotated[bool, Form()] = False,
) -> Response:
    """One group with one shift: members hand off every `duration` days at `start`'s local
    time; `business_hours` limits it to weekdays 09:00-17:00 in its zone. With `preview`,
    nothing is saved: the page shows the next handoffs, the form as it was typed."""
    require_team_admin(session, viewer, team)
    usernames = [name.strip() for name in members.split(",") if name.strip()]
    mask = None
    if business_hours:
        mask = {
            "day": WEEKDAYS,
            "time": [{"start": {"hour": 9, "minute": 0}, "end": {"hour": 17, "minute": 0}}],
        }
    spec = rotations.ShiftSpec(
        label=shift_label,
        timezone=timezone,
        start=start,
        duration=duration,
        shift_type="pho" if business_hours else "std",
        masks=(mask, None, None),
        usernames=usernames,
    )
    if preview:
        typed = {
            "label": label,
            "shift_label": shift_label,
            "timezone": timezone,
            "start": start,
            "duration": duration,
            "members": members,
            "business_hours": business_hours,
        }
        handoffs = _preview(session, viewer, team=team, label=label, spec=spec, now=now)
        return _rotations_page(
            request, session=session, viewer=viewer, now=now, team=team, form=typed,
            preview=handoffs,
        )  # fmt: skip
    group = rotations.create_group(
        session,
        viewer.org.id,
        team,
        label=label,
        shifts=[spec],
        actor=viewer.user.username,
        now=now,
    )
    return redirect(request, f"/rotations?team={team}", f"Rotation {group.label} created.")


def _preview(
    session: Session,
    viewer: Viewer,
    *,
    team: str,
    label: str,
    spec: rotations.ShiftSpec,
    now: datetime,
) -> list[Handoff]:
    """The rotation's next handoffs, made in a savepoint that is rolled back: the same
    validation and calculation as saving it, and nothing kept."""
    savepoint = session.begin_nested()
    try:
        group = rotations.create_group(
            session, viewer.org.id, team, label=label, shifts=[spec], actor="preview", now=now
        )
        found, rows = rotations.list_groups(session, viewer.org.id, team)
        views = rotations.describe_groups(session, viewer.org.id, found, rows, now=now)
        periods = [p for v in views if v.group.id == group.id for s in v.shifts for p in s.periods]
        periods.sort(key=lambda p: p.start)
        return [Handoff(p.start, p.end, p.username) for p in periods[:PREVIEW_HANDOFFS]]
    finally:
        savepoint.rollback()


@router.post("/rotations/{team}/{group_id}/{shift_id}/scheduled")
def set_scheduled(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    team: str,
    group_id: int,
    shift_id: int,
    username: Annotated[str, Form()],
) -> Response:
    """Turn the rotation so `username` is on call now; later handoffs follow member order."""
    require_team_admin(session, viewer, team)
    user = rotations.set_scheduled(
        session,
        viewer.org.id,
        team,
        group_id,
        shift_id,
        username=username,
        actor=viewer.user.username,
        now=now,
    )
    return redirect(request, f"/rotations?team={team}", f"{user.username} is on call now.")


@router.post("/rotations/{team}/{group_id}/delete")
def delete_rotation(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    team: str,
    group_id: int,
) -> Response:
    require_team_admin(session, viewer, team)
    rotations.delete_group(
        session, viewer.org.id, team, group_id, actor=viewer.user.username, now=now
    )
    return redirect(request, f"/rotations?team={team}", "Rotation deleted.")
