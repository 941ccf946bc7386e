"""Incidents, incident notes and alert details under /api-public/v1 (NOTES (a), (b), (f))."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Response

from openoncall.api.paging import PageDep
from openoncall.api.responses import JsonBytes, json_bytes, json_response
from openoncall.auth.deps import CallerDep, ContainerDep, DbSession, Now, public_router
from openoncall.container import Container
from openoncall.errors import InvalidInput
from openoncall.incidents import commands, notes, queries
from openoncall.incidents.models import IncidentNote
from openoncall.incidents.schemas import (
    AckOrResolveByUserRequest,
    AckOrResolveRequest,
    AckOrResolveResponse,
    CreatedIncident,
    CreateIncidentRequest,
    GetAlertResponse,
    IncidentInfo,
    IncidentList,
    Note,
    NotesPayload,
    NotesUpdatePayload,
    RerouteCollection,
    RerouteStatusResponse,
)
from openoncall.storable import json_size

router = public_router(tags=["Incidents"])

IncidentNumber = Annotated[str, Path(alias="incidentNumber", max_length=32)]
NoteName = Annotated[str, Path(alias="noteName", max_length=255)]


def _note(note: IncidentNote) -> Note:
    return Note(name=note.name, display_name=note.display_name, json_value=note.json_value)


def _note_value(value: dict[str, Any], container: Container) -> dict[str, Any]:
    """The note's value, if its JSON fits OPENONCALL_MAX_NOTE_BYTES (every later view of the
    incident's notes carries it)."""
    limit = container.settings.max_note_bytes
    if json_size(value) > limit:
        raise InvalidInput(f"json_value is larger than {limit} bytes as JSON", field="json_value")
    return value


@router.get("/api-public/v1/incidents", response_model=IncidentList)
def list_incidents(session: DbSession, caller: CallerDep, now: Now, page: PageDep) -> Response:
    """Open and acknowledged incidents, and those resolved in the last 24 hours."""
    incidents = queries.list_current_incidents(session, caller.org_id, now=now, page=page)
    # Encoded once, from plain data read as columns (response_model only documents it).
    return json_response(json_bytes({"incidents": incidents}))


@router.post("/api-public/v1/incidents", response_model=CreatedIncident)
def create_incident(
    body: CreateIncidentRequest, session: DbSession, caller: CallerDep, now: Now
) -> CreatedIncident:
    """Open a manual incident paging users and/or escalation policies."""
    incident = commands.create_manual_incident(
        session,
        caller.org_id,
        summary=body.summary,
        details=body.details,
        user_name=body.user_name,
        targets=body.targets,
        is_multi_responder=body.is_multi_responder,
        now=now,
    )
    return CreatedIncident(incident_number=str(incident.number), entity_id=incident.entity_id)


@router.patch("/api-public/v1/incidents/ack", response_model=AckOrResolveResponse)
def ack_incidents(
    body: AckOrResolveRequest, session: DbSession, caller: CallerDep, now: Now
) -> AckOrResolveResponse:
    """Acknowledge incidents by number; a result per incident."""
    return AckOrResolveResponse(
        results=commands.ack_or_resolve_by_numbers(
            session,
            caller.org_id,
            "ack",
            user_name=body.user_name,
            incident_names=body.incident_names,
            message=body.message,
            now=now,
        )
    )


@router.patch("/api-public/v1/incidents/resolve", response_model=AckOrResolveResponse)
def resolve_incidents(
    body: AckOrResolveRequest, session: DbSession, caller: CallerDep, now: Now
) -> AckOrResolveResponse:
    """Resolve incidents by number; a result per incident."""
    return AckOrResolveResponse(
        results=commands.ack_or_resolve_by_numbers(
            session,
            caller.org_id,
            "resolve",
            user_name=body.user_name,
            incident_names=body.incident_names,
            message=body.message,
            now=now,
        )
    )


@router.patch("/api-public/v1/incidents/byUser/ack", response_model=AckOrResolveResponse)
def ack_incidents_by_user(
    body: AckOrResolveByUserRequest, session: DbSession, caller: CallerDep, now: Now
) -> AckOrResolveResponse:
    """Acknowledge every unacknowledged incident that paged the user."""
    return AckOrResolveResponse(
        results=commands.ack_or_resolve_by_user(
            session, caller.org_id, "ack", user_name=body.user_name, message=body.message, now=now
        )
    )


@router.patch("/api-public/v1/incidents/byUser/resolve", response_model=AckOrResolveResponse)
def resolve_incidents_by_user(
    body: AckOrResolveByUserRequest, session: DbSession, caller: CallerDep, now: Now
) -> AckOrResolveResponse:
    """Resolve every open incident that paged the user."""
    return AckOrResolveResponse(
        results=commands.ack_or_resolve_by_user(
            session,
            caller.org_id,
            "resolve",
            user_name=body.user_name,
            message=body.message,
            now=now,
        )
    )


@router.post("/api-public/v1/incidents/reroute", response_model=RerouteStatusResponse)
def reroute_incidents(
    body: RerouteCollection, session: DbSession, caller: CallerDep, now: Now
) -> RerouteStatusResponse:
    """Page new users or escalation policies for open incidents; a status per incident."""
    return RerouteStatusResponse(
        statuses=commands.reroute_incidents(
            session, caller.org_id, user_name=body.user_name, reroutes=body.reroutes, now=now
        )
    )


@router.get("/api-public/v1/incidents/{incidentNumber}", response_model=IncidentInfo)
def get_incident(number: IncidentNumber, session: DbSession, caller: CallerDep) -> Response:
    """One incident with its paged targets and transitions."""
    return JsonBytes.of(queries.get_incident_wire(session, caller.org_id, number))


@router.get("/api-public/v1/incidents/{incidentNumber}/notes", response_model=list[Note])
def list_notes(
    number: IncidentNumber, session: DbSession, caller: CallerDep, page: PageDep
) -> list[Note]:
    """The incident's notes, oldest first (a list, though the spec declares one object)."""
    return [_note(n) for n in page.of(notes.list_notes(session, caller.org_id, number))]


@router.post("/api-public/v1/incidents/{incidentNumber}/notes", response_model=Note)
def create_note(
    *,
    number: IncidentNumber,
    body: NotesPayload,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    container: ContainerDep,
) -> Note:
    """Add a named note; the request says `display_name`, the answer `displayName`."""
    note = notes.create_note(
        session,
        caller.org_id,
        number,
        name=body.name,
        display_name=body.display_name,
        json_value=_note_value(body.json_value, container),
        actor=queries.actor_for_key(session, caller.org_id, caller.created_by_user_id),
        now=now,
    )
    return _note(note)


@router.put("/api-public/v1/incidents/{incidentNumber}/notes/{noteName}", response_model=Note)
def update_note(
    *,
    number: IncidentNumber,
    note_name: NoteName,
    body: NotesUpdatePayload,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    container: ContainerDep,
) -> Note:
    """Replace a note's value (and display name); answers the note as it now is."""
    note = notes.update_note(
        session,
        caller.org_id,
        number,
        note_name,
        display_name=body.display_name,
        json_value=_note_value(body.json_value, container),
        actor=queries.actor_for_key(session, caller.org_id, caller.created_by_user_id),
        now=now,
    )
    return _note(note)


@router.delete("/api-public/v1/incidents/{incidentNumber}/notes/{noteName}", response_model=Note)
def delete_note(
    number: IncidentNumber,
    note_name: NoteName,
    session: DbSession,
    caller: CallerDep,
    now: Now,
) -> Note:
    """Delete a note; answers the note as it was (every response has a JSON body)."""
    note = notes.delete_note(
        session,
        caller.org_id,
        number,
        note_name,
        actor=queries.actor_for_key(session, caller.org_id, caller.created_by_user_id),
        now=now,
    )
    return _note(note)


@router.get("/api-public/v1/alerts/{uuid}", response_model=GetAlertResponse)
def get_alert(
    uuid: Annotated[str, Path(max_length=64)], session: DbSession, caller: CallerDep
) -> GetAlertResponse:
    """One alert as received: its fields and the raw JSON payload as a string."""
    return queries.get_alert(session, caller.org_id, uuid)
