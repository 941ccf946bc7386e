"""A free note name under concurrency: two transactions that both find `base` free."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.incidents.models import IncidentNote
from openoncall.incidents.notes import create_note_with_free_name
from tests.conftest import Org

ALERT = "/integrations/generic/20131114/alert"


def _create(container: Container, org: Org, text: str) -> str:
    with container.sessions.transaction() as session:
        note = create_note_with_free_name(
            session,
            org.org_id,
            "1",
            base="Note-by-admin-20260105T120000",
            display_name="Note by admin",
            json_value={"text": text},
            actor="admin",
            now=container.clock.now(),
        )
        return note.name


def test_concurrent_untitled_notes_get_distinct_names(
    client: TestClient, org: Org, container: Container
) -> None:
    sent = client.post(
        f"{ALERT}/{org.boot.rest_endpoint_key}/db",
        json={"message_type": "CRITICAL", "entity_id": "disk/db01"},
    )
    assert sent.status_code == 200, sent.text
    names: list[str] = []
    errors: list[BaseException] = []
    second_started = threading.Event()

    def second() -> None:
        second_started.set()
        try:
            names.append(_create(container, org, "second"))
        except BaseException as exc:
            errors.append(exc)

    # The first transaction holds its new note uncommitted while the second one starts:
    # PostgreSQL makes the second wait on the unique index, SQLite on its write lock.
    with container.sessions.transaction() as session:
        first = create_note_with_free_name(
            session,
            org.org_id,
            "1",
            base="Note-by-admin-20260105T120000",
            display_name="Note by admin",
            json_value={"text": "first"},
            actor="admin",
            now=container.clock.now(),
        )
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait()
        thread.join(timeout=0.5)
    thread.join(timeout=10)
    assert errors == []
    assert names == [first.name + "-2"]
    with container.sessions.transaction() as session:
        stored = session.scalars(select(IncidentNote.json_value).order_by(IncidentNote.id)).all()
    assert [v["text"] for v in stored] == ["first", "second"]
