"""Use cases for incident notes (NOTES (b) "Notes"): list, create, update, delete by name.

Each change also goes on the incident's timeline, so the UI and reports see who noted what.
Services never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openoncall.errors import AlreadyExists, NotFound
from openoncall.incidents.models import EventKind, Incident, IncidentEvent, IncidentNote
from openoncall.incidents.queries import get_incident

# Same-named notes from the web form within one second: far more than anyone types.
MAX_NAME_ATTEMPTS = 100


def _note_event(
    session: Session,
    incident: Incident,
    note: IncidentNote,
    *,
    action: str,
    actor: str,
    now: datetime,
) -> None:
    session.add(
        IncidentEvent(
            org_id=incident.org_id,
            incident_id=incident.id,
            kind=EventKind.NOTE,
            at=now,
            actor=actor,
            message=f"Note {note.name} {action}",
            data={
                "action": action,
                "name": note.name,
                "displayName": note.display_name,
                "json_value": note.json_value if action != "deleted" else None,
            },
        )
    )


def list_notes(session: Session, org_id: int, number: str) -> list[IncidentNote]:
    incident = get_incident(session, org_id, number)
    return list(
        session.scalars(
            select(IncidentNote)
            .where(IncidentNote.org_id == org_id, IncidentNote.incident_id == incident.id)
            .order_by(IncidentNote.id)
        )
    )


def _find_note(session: Session, incident: Incident, name: str) -> IncidentNote | None:
    if "\x00" in name:  # no note is named so; PostgreSQL would refuse the query
        return None
    return session.scalar(
        select(IncidentNote).where(
            IncidentNote.org_id == incident.org_id,
            IncidentNote.incident_id == incident.id,
            IncidentNote.name == name,
        )
    )


def create_note(
    session: Session,
    org_id: int,
    number: str,
    *,
    name: str,
    display_name: str | None,
    json_value: dict[str, Any],
    actor: str,
    now: datetime,
) -> IncidentNote:
    """A new note; a second note of the same name on the incident is refused (422)."""
    incident = get_incident(session, org_id, number)
    name = name.strip()
    if _find_note(session, incident, name) is not None:
        raise AlreadyExists(f"Note {name} already exists on incident {number}", field="name")
    note = _note(incident, name, display_name, json_value, actor=actor, now=now)
    session.add(note)
    session.flush()
    _note_event(session, incident, note, action="created", actor=actor, now=now)
    return note


def create_note_with_free_name(
    session: Session,
    org_id: int,
    number: str,
    *,
    base: str,
    display_name: str,
    json_value: dict[str, Any],
    actor: str,
    now: datetime,
) -> IncidentNote:
    """A note named `base`, or `base-2`, `base-3`… when taken: the web form derives names
    from the title and the second, and two notes in one second must both be kept."""
    incident = get_incident(session, org_id, number)
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = base if attempt == 1 else f"{base}-{attempt}"
        if _find_note(session, incident, name) is not None:
            continue
        note = _note(incident, name, display_name, json_value, actor=actor, now=now)
        try:
            with session.begin_nested():
                session.add(note)
        except IntegrityError:  # a concurrent request took the name between check and insert
            continue
        _note_event(session, incident, note, action="created", actor=actor, now=now)
        return note
    raise AlreadyExists(f"Too many notes named {base} on incident {number}", field="title")


def _note(
    incident: Incident,
    name: str,
    display_name: str | None,
    json_value: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> IncidentNote:
    return IncidentNote(
        org_id=incident.org_id,
        incident_id=incident.id,
        name=name,
        display_name=display_name if display_name is not None else name,
        json_value=json_value,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )


def update_note(
    session: Session,
    org_id: int,
    number: str,
    note_name: str,
    *,
    display_name: str | None,
    json_value: dict[str, Any],
    actor: str,
    now: datetime,
) -> IncidentNote:
    """Replace a note's value (and display name, when given); the name stays the path's."""
    incident = get_incident(session, org_id, number)
    note = _find_note(session, incident, note_name)
    if note is None:
        raise NotFound(f"Note {note_name} not found on incident {number}", field="noteName")
    if display_name is not None:
        note.display_name = display_name
    note.json_value = json_value
    note.updated_at = now
    _note_event(session, incident, note, action="updated", actor=actor, now=now)
    return note


def delete_note(
    session: Session, org_id: int, number: str, note_name: str, *, actor: str, now: datetime
) -> IncidentNote:
    """Remove a note; returns it as it was."""
    incident = get_incident(session, org_id, number)
    note = _find_note(session, incident, note_name)
    if note is None:
        raise NotFound(f"Note {note_name} not found on incident {number}", field="noteName")
    _note_event(session, incident, note, action="deleted", actor=actor, now=now)
    session.delete(note)
    return note
