"""The timeline (open and recent incidents, live) and the incident page with its history.

Actions go through the incident commands of the public API (`incidents.commands`), acting
as the signed-in user, so the UI and the API record the same transitions.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import Response

from openoncall.auth.deps import DbSession, Now
from openoncall.chat.service import post_chat
from openoncall.errors import InvalidInput
from openoncall.incidents import commands, notes
from openoncall.incidents.models import Phase
from openoncall.incidents.schemas import AckOrResolveResult, IncidentTarget, Reroute
from openoncall.incidents.service import get_incident, list_timeline
from openoncall.policies import service as policies
from openoncall.teams.service import list_teams
from openoncall.users.service import list_users
from openoncall.web.deps import ViewerDep, redirect, render, web_router
from openoncall.web.queries import (
    TimelineFilters,
    incident_alerts,
    incident_routing_keys,
    paged_team_names,
    timeline_incidents,
    waiting_steps,
)
from openoncall.web.signin import Viewer

router = web_router()

PHASES = [Phase.UNACKED, Phase.ACKED, Phase.RESOLVED]
_NOTE_NAME = re.compile(r"[^A-Za-z0-9 _.-]+")


def _filters(team: str, routing_key: str, phase: str) -> TimelineFilters:
    if phase and phase not in PHASES:
        raise InvalidInput(f"Unknown phase {phase}", field="phase")
    return TimelineFilters(team=team.strip(), routing_key=routing_key.strip(), phase=phase)


@router.get("/")
def home(request: Request, _viewer: ViewerDep) -> Response:
    return redirect(request, "/timeline")


def _list(
    request: Request, session: DbSession, viewer: Viewer, now: Now, filters: TimelineFilters
) -> Response:
    rows = timeline_incidents(session, viewer.org.id, filters, now=now)
    return render(request, "_timeline_list.html", {"rows": rows, "filters": filters}, viewer=viewer)


@router.get("/timeline")
def timeline(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    team: str = "",
    routing_key: str = "",
    phase: str = "",
) -> Response:
    filters = _filters(team, routing_key, phase)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "incident-list":
        return _list(request, session, viewer, now, filters)
    return render(
        request,
        "timeline.html",
        {
            "rows": timeline_incidents(session, viewer.org.id, filters, now=now),
            "filters": filters,
            "teams": list_teams(session, viewer.org.id),
            "routing_keys": incident_routing_keys(session, viewer.org.id),
            "phases": PHASES,
        },
        viewer=viewer,
    )


def _action(action: str) -> Literal["ack", "resolve"]:
    if action == "ack":
        return "ack"
    if action == "resolve":
        return "resolve"
    raise InvalidInput(f"Unknown action {action}", field="action")


def _summary(results: list[AckOrResolveResult]) -> str:
    messages = [r.message for r in results]
    return "; ".join(m for m in messages if m) or "Nothing to do."


@router.post("/timeline/bulk")
def bulk(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    action: Annotated[str, Form()],
    numbers: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
    team: Annotated[str, Form()] = "",
    routing_key: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
) -> Response:
    """Acknowledge or resolve every ticked incident; one message per incident."""
    if not numbers:
        raise InvalidInput("Tick at least one incident", field="numbers")
    results = commands.ack_or_resolve_by_numbers(
        session,
        viewer.org.id,
        _action(action),
        user_name=viewer.user.username,
        incident_names=numbers,
        message=None,
        now=now,
    )
    filters = _filters(team, routing_key, phase)
    query = urlencode(filters.query())
    return redirect(request, "/timeline" + ("?" + query if query else ""), _summary(results))


def _incident_context(
    session: DbSession, viewer: Viewer, number: int, now: datetime
) -> dict[str, object]:
    incident = get_incident(session, viewer.org.id, number)
    alerts = incident_alerts(session, viewer.org.id, incident.id)
    raw = {}
    for alert in alerts:
        try:
            raw[alert.uuid] = json.dumps(json.loads(alert.raw), indent=2, sort_keys=True)
        except ValueError:
            raw[alert.uuid] = alert.raw
    return {
        "incident": incident,
        "events": list_timeline(session, viewer.org.id, incident.id),
        "alerts": alerts,
        "raw": raw,
        "teams": paged_team_names(session, viewer.org.id, [incident.id]).get(incident.id, []),
        "notes": notes.list_notes(session, viewer.org.id, str(number)),
        "waiting": (
            waiting_steps(session, viewer.org.id, incident.id, now)
            if incident.phase == Phase.UNACKED
            else []
        ),
    }


@router.get("/incidents/{number}")
def incident_page(
    request: Request, session: DbSession, viewer: ViewerDep, now: Now, number: int
) -> Response:
    context = _incident_context(session, viewer, number, now)
    if request.headers.get("HX-Target") == "incident-events":
        return render(request, "_incident_events.html", context, viewer=viewer)
    context["policies"] = policies.list_policies(session, viewer.org.id)
    context["users"] = list_users(session, viewer.org.id)
    context["now"] = now
    return render(request, "incident.html", context, viewer=viewer)


@router.post("/incidents/{number}/notes")
def add_note(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    number: int,
    text: Annotated[str, Form(max_length=10000)],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A note: its name is the title (or a timestamped default); its value holds the text."""
    if not text.strip():
        raise InvalidInput("The note is empty", field="text")
    display = title.strip() or f"Note by {viewer.user.username}"
    base = _NOTE_NAME.sub("-", display).strip("-")[:180] + now.strftime("-%Y%m%dT%H%M%S")
    notes.create_note_with_free_name(
        session,
        viewer.org.id,
        str(number),
        base=base,
        display_name=display,
        json_value={"text": text.strip()},
        actor=viewer.user.username,
        now=now,
    )
    return redirect(request, f"/incidents/{number}", "Note added.")


@router.post("/incidents/{number}/chat")
def chat(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    number: int,
    text: Annotated[str, Form(max_length=10000)],
) -> Response:
    """A chat message on the incident's timeline (as `POST /api-public/v1/chat` records it)."""
    if not text.strip():
        raise InvalidInput("The message is empty", field="text")
    post_chat(
        session,
        viewer.org.id,
        username=viewer.user.username,
        text=text.strip(),
        incident_number=str(number),
        now=now,
    )
    return redirect(request, f"/incidents/{number}")


@router.post("/incidents/{number}/reroute")
def reroute(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    number: int,
    target: Annotated[str, Form()],
) -> Response:
    """Reroute to one policy (`policy:<slug>`) or user (`user:<username>`)."""
    kind, _, slug = target.partition(":")
    if kind not in ("policy", "user") or not slug:
        raise InvalidInput("Choose a policy or a user to reroute to", field="target")
    target_type = "EscalationPolicy" if kind == "policy" else "User"
    [status] = commands.reroute_incidents(
        session,
        viewer.org.id,
        user_name=viewer.user.username,
        reroutes=[
            Reroute(
                incident_number=str(number),
                targets=[IncidentTarget(type=target_type, slug=slug)],
            )
        ],
        now=now,
    )
    if not status.success:
        raise InvalidInput(status.message, field="target")
    return redirect(request, f"/incidents/{number}", status.message)


# Registered last: `/incidents/{number}/{action}` would otherwise swallow notes and reroute.
@router.post("/incidents/{number}/{action}")
def act(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    number: int,
    action: str,
    back: Annotated[str, Form()] = "incident",
    team: Annotated[str, Form()] = "",
    routing_key: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
) -> Response:
    """Acknowledge or resolve one incident, from the timeline (htmx) or the incident page."""
    [result] = commands.ack_or_resolve_by_numbers(
        session,
        viewer.org.id,
        _action(action),
        user_name=viewer.user.username,
        incident_names=[str(number)],
        message=None,
        now=now,
    )
    if not result.cmd_accepted:
        raise InvalidInput(result.message or "Not possible", field="incidentNumber")
    if back == "timeline" and request.headers.get("HX-Request"):
        return _list(request, session, viewer, now, _filters(team, routing_key, phase))
    target = "/timeline" if back == "timeline" else f"/incidents/{number}"
    return redirect(request, target, result.message)
