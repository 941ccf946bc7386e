"""Reports over HTTP: MTTA/MTTR per team and routing key, incidents per day, on-call hours
and off-hours pages per person, and the CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.incidents.models import Incident
from openoncall.paging.models import UserPage
from openoncall.users.models import User
from openoncall.web.pages.reports import csv_cell
from tests.api.scheduling_builders import ShiftSpec, make_policy, make_rotation, make_team
from tests.conftest import T0, Org
from tests.web.conftest import add_user, sign_in

ALERT = "/integrations/generic/20131114/alert"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_response_times_and_daily_counts(
    client: TestClient, org: Org, container: Container, clock: FrozenClock
) -> None:
    csrf = sign_in(client, "admin")
    clock.set(T0 - timedelta(hours=2))
    for entity in ("disk/db01", "disk/db02"):
        sent = client.post(
            f"{ALERT}/{org.boot.rest_endpoint_key}/storage",
            json={"message_type": "CRITICAL", "entity_id": entity},
        )
        assert sent.status_code == 200, sent.text
    clock.advance(minutes=10)
    assert client.post("/incidents/1/ack", data={"csrf_token": csrf}).status_code == 200
    clock.advance(minutes=20)
    assert client.post("/incidents/1/resolve", data={"csrf_token": csrf}).status_code == 200
    clock.set(T0)
    page = client.get("/reports", params={"days": 7})
    assert page.status_code == 200
    assert 'id="chart-daily"' in page.text
    assert "/static/vendor/chart.umd.min.js" in page.text
    keys = _rows(client.get("/reports/routing-keys.csv", params={"days": 7}).text)
    with container.sessions.transaction() as session:
        routed = {i.routing_key for i in session.scalars(select(Incident))}
    assert len(routed) == 1
    [key] = routed
    assert keys == [
        ["routing_key", "incidents", "acknowledged", "resolved", "mtta_minutes", "mttr_minutes"],
        [key or "(no routing key)", "2", "1", "1", "10", "30"],
    ]
    daily = _rows(client.get("/reports/daily.csv", params={"days": 7}).text)
    assert daily[0] == ["day", "incidents"]
    assert daily[1:] == [
        [(T0.date() - timedelta(days=n)).isoformat(), "2" if n == 0 else "0"]
        for n in range(6, -1, -1)
    ]
    teams = _rows(client.get("/reports/teams.csv", params={"days": 7}).text)
    assert teams[1] == ["(no team)", "2", "1", "1", "10", "30"]
    assert client.get("/reports", params={"days": 5}).status_code == 400
    assert client.get("/reports", params={"tz": "Mars/Base"}).status_code == 400


def test_oncall_hours_and_off_hours_pages(
    client: TestClient, org: Org, container: Container, api: TestClient
) -> None:
    add_user(container, org, "alice")
    add_user(container, org, "bob")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    rotation = make_rotation(
        container,
        org.org_id,
        team,
        "Primary",
        [ShiftSpec("week", "UTC", T0 - timedelta(days=1), ["alice", "bob"])],
    )
    make_policy(api, team, "Ops primary", [rotation])
    sent = api.post(
        f"{ALERT}/{org.boot.rest_endpoint_key}/x",
        json={"message_type": "CRITICAL", "entity_id": "e"},
    )
    assert sent.status_code == 200
    with container.sessions.transaction() as session:
        incident_id = session.scalars(select(Incident.id)).one()
        alice = session.scalars(select(User.id).where(User.username == "alice")).one()
        session.query(UserPage).filter(UserPage.user_id == alice).delete()
        # Saturday noon (off hours) and Monday 11:00 (working hours), in UTC.
        for at in (T0 - timedelta(days=2), T0 - timedelta(hours=1)):
            session.add(
                UserPage(
                    org_id=org.org_id,
                    incident_id=incident_id,
                    user_id=alice,
                    steps=[],
                    created_at=at,
                    updated_at=at,
                )
            )
    sign_in(client, "admin")
    people = _rows(client.get("/reports/people.csv", params={"days": 7}).text)
    assert people[0] == ["username", "oncall_hours", "pages", "off_hours_pages"]
    by_name = {row[0]: row[1:] for row in people[1:]}
    # alice has been on call since the rotation began a day ago: 24 hours so far.
    assert by_name["alice"] == ["24.0", "2", "1"]
    assert "bob" not in by_name or by_name["bob"][0] == "0.0"
    page = client.get("/reports", params={"days": 7})
    assert 'id="people-table"' in page.text


def test_csv_cells_that_start_a_formula_are_escaped(api: TestClient, org: Org) -> None:
    """Names users chose (routing keys here) must not run as spreadsheet formulas; the
    numeric columns stay numbers."""
    keys = ["=HYPERLINK(x)", "+1", "-1", "@SUM(A1)", "plain"]
    for key in keys:
        made = api.post("/api-public/v1/org/routing-keys", json={"routingKey": key})
        assert made.status_code == 200, made.text
        sent = api.post(
            f"{ALERT}/{org.boot.rest_endpoint_key}/{quote(key, safe='')}",
            json={"message_type": "CRITICAL", "entity_id": f"e/{key}"},
        )
        assert sent.status_code == 200, sent.text
    sign_in(api, "admin")
    rows = _rows(api.get("/reports/routing-keys.csv", params={"days": 7}).text)
    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["'=HYPERLINK(x)", "'+1", "'-1", "'@SUM(A1)", "plain"]
    )
    assert all(row[1] == "1" for row in rows[1:])


def test_csv_cell_rule() -> None:
    assert [csv_cell(v) for v in ["\tx", "\rx", "a=b", "", "-", 3, -2.5]] == [
        "'\tx",
        "'\rx",
        "a=b",
        "",
        "'-",
        3,
        -2.5,
    ]
