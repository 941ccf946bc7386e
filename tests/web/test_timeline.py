"""Timeline and incident page over HTTP: filters, live fragment, actions, notes, chat, reroute."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.incidents.models import Incident, IncidentEvent, IncidentNote
from tests.conftest import Org
from tests.web.conftest import add_user, sign_in

ALERT = "/integrations/generic/20131114/alert"


def _alert(client: TestClient, org: Org, entity: str, key: str = "db") -> None:
    sent = client.post(
        f"{ALERT}/{org.boot.rest_endpoint_key}/{key}",
        json={"message_type": "CRITICAL", "entity_id": entity, "entity_display_name": entity},
    )
    assert sent.status_code == 200, sent.text


def test_filters_and_live_fragment(client: TestClient, org: Org) -> None:
    _alert(client, org, "disk/db01")
    _alert(client, org, "cpu/web01")
    sign_in(client, "admin")
    page = client.get("/timeline")
    assert 'id="incident-1"' in page.text
    assert 'id="incident-2"' in page.text
    assert 'hx-trigger="every 3s' in page.text
    fragment = client.get(
        "/timeline",
        params={"phase": "UNACKED"},
        headers={"HX-Request": "true", "HX-Target": "incident-list"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="incident-1"' in fragment.text
    none = client.get("/timeline", params={"phase": "RESOLVED"})
    assert "No incidents match these filters" in none.text
    assert client.get("/timeline", params={"phase": "BOGUS"}).status_code == 400
    unknown_team = client.get("/timeline", params={"team": "team-nope"})
    assert "No incidents match these filters" in unknown_team.text


def test_incident_page_actions(client: TestClient, org: Org, container: Container) -> None:
    add_user(container, org, "bob")
    _alert(client, org, "disk/db01")
    csrf = sign_in(client, "admin")
    page = client.get("/incidents/1")
    assert page.status_code == 200
    assert (
        "&#34;entity_id&#34;: &#34;disk/db01&#34;" in page.text
        or '"entity_id": "disk/db01"' in page.text
    )
    assert client.get("/incidents/99").status_code == 404
    note = client.post(
        "/incidents/1/notes",
        data={"title": "Runbook", "text": "See wiki/disk", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert note.status_code == 303
    empty = client.post("/incidents/1/notes", data={"text": "  ", "csrf_token": csrf})
    assert empty.status_code == 400
    chat = client.post(
        "/incidents/1/chat", data={"text": "looking", "csrf_token": csrf}, follow_redirects=False
    )
    assert chat.status_code == 303
    reroute = client.post(
        "/incidents/1/reroute",
        data={"target": "user:bob", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert reroute.status_code == 303
    nobody = client.post("/incidents/1/reroute", data={"target": "user:zed", "csrf_token": csrf})
    assert nobody.status_code == 400
    acked = client.post("/incidents/1/ack", data={"csrf_token": csrf}, follow_redirects=False)
    assert acked.status_code == 303
    again = client.post("/incidents/1/ack", data={"csrf_token": csrf})
    assert again.status_code == 400
    events = client.get(
        "/incidents/1", headers={"HX-Request": "true", "HX-Target": "incident-events"}
    )
    assert "<html" not in events.text
    assert "See wiki/disk" in events.text
    assert "looking" in events.text
    with container.sessions.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.phase == "ACKED"
        assert incident.acked_by == "admin"
        kinds = [e.kind for e in session.scalars(select(IncidentEvent).order_by(IncidentEvent.id))]
        assert "chat" in kinds
        assert "reroute" in kinds
        notes = session.scalars(select(IncidentNote)).all()
        assert [(n.display_name, n.json_value) for n in notes] == [
            ("Runbook", {"text": "See wiki/disk"})
        ]


def test_bulk_needs_a_selection(client: TestClient, org: Org) -> None:
    _alert(client, org, "disk/db01")
    csrf = sign_in(client, "admin")
    none = client.post("/timeline/bulk", data={"action": "ack", "csrf_token": csrf})
    assert none.status_code == 400
    assert "Tick at least one incident" in none.text
    done = client.post(
        "/timeline/bulk",
        data={"action": "resolve", "numbers": ["1", "7"], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    flash_page = client.get("/timeline")
    assert "Incident 1 resolved" in flash_page.text
    assert "Incident not found" in flash_page.text


def test_malformed_forms_get_an_html_400(client: TestClient, org: Org) -> None:
    csrf = sign_in(client, "admin")
    missing = client.post("/timeline/bulk", data={"csrf_token": csrf})
    assert missing.status_code == 400
    assert missing.headers["content-type"].startswith("text/html")
    assert "Invalid value for action" in missing.text
    bad_number = client.get("/incidents/abc")
    assert bad_number.status_code == 400
    assert "Invalid value for number" in bad_number.text


def test_two_notes_in_one_second_are_both_kept(
    client: TestClient, org: Org, container: Container
) -> None:
    """The form names a note after its title and the second (the clock is frozen here)."""
    _alert(client, org, "disk/db01")
    csrf = sign_in(client, "admin")
    for title, text in [("", "first"), ("", "second"), ("Runbook", "a"), ("Runbook", "b")]:
        sent = client.post(
            "/incidents/1/notes",
            data={"title": title, "text": text, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
    with container.sessions.transaction() as session:
        notes = session.scalars(select(IncidentNote).order_by(IncidentNote.id)).all()
        assert [n.json_value["text"] for n in notes] == ["first", "second", "a", "b"]
        assert [n.display_name for n in notes] == ["Note by admin"] * 2 + ["Runbook"] * 2
        assert notes[1].name == notes[0].name + "-2"
        assert notes[3].name == notes[2].name + "-2"


def test_bulk_keeps_the_filters_encoded(client: TestClient, org: Org) -> None:
    _alert(client, org, "disk/db01")
    csrf = sign_in(client, "admin")
    done = client.post(
        "/timeline/bulk",
        data={"action": "ack", "numbers": ["1"], "routing_key": "a&b c\u00fc", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 204
    assert done.headers["hx-redirect"] == "/timeline?routing_key=a%26b+c%C3%BC"
