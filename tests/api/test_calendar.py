"""iCalendar feeds over secret URLs: issue, rotate, revoke, and events that match the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from openoncall.audit.models import AuditEvent
from openoncall.calendar.models import CalendarFeed
from openoncall.container import Container
from tests.api.scheduling_builders import OpsTeam, make_ops_team
from tests.conftest import T0, Org, make_org

BASE = "/api-ext/v1/calendar"


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _events(client: TestClient, path: str, **params: int) -> list[tuple[str, datetime, datetime]]:
    r = client.get(path, params=params, headers={"X-VO-Api-Id": "", "X-VO-Api-Key": ""})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(r.content)
    return [
        (
            str(e.get("summary")),
            e.decoded("dtstart").astimezone(UTC),
            e.decoded("dtend").astimezone(UTC),
        )
        for e in calendar.walk("VEVENT")
    ]


def test_user_feed_is_issued_once_and_matches_the_user_schedule(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    r = api.post(f"{BASE}/user/alice")
    assert r.status_code == 200
    body = r.json()
    token = body["path"].removeprefix(f"{BASE}/").removesuffix(".ics")
    assert body == {
        "url": f"http://127.0.0.1:8080{BASE}/{token}.ics",
        "path": f"{BASE}/{token}.ics",
    }
    with container.sessions.transaction(write=False) as session:
        feed = session.scalars(select(CalendarFeed)).one()
        audit = session.scalars(select(AuditEvent.action)).all()
    assert token not in feed.token_hash
    assert len(feed.token_hash) == 64
    assert audit[-1] == "calendar.issue"

    events = _events(api, body["path"], daysBack=0, daysForward=14)
    assert events == [
        ("On call: alice (Ops policy)", T0, datetime(2026, 1, 12, 9, 0, tzinfo=UTC)),
    ]
    schedule = api.get("/api-public/v2/user/alice/oncall/schedule", params={"daysForward": 14})
    rolls = [
        (
            datetime.fromisoformat(roll["start"]).astimezone(UTC),
            datetime.fromisoformat(roll["end"]).astimezone(UTC),
        )
        for team in schedule.json()["teamSchedules"]
        for policy in team["schedules"]
        for entry in policy["schedule"]
        for roll in entry["rolls"]
    ]
    assert rolls == [(start, end) for _summary, start, end in events]


def test_feed_shows_the_final_on_call_after_a_take(api: TestClient, ops: OpsTeam) -> None:
    dave = api.post(f"{BASE}/user/dave").json()["path"]
    team = api.post(f"{BASE}/team/{ops.team}").json()["path"]
    assert _events(api, dave, daysBack=0, daysForward=7) == []
    r = api.patch(
        f"/api-public/v1/policies/{ops.policy}/oncall/user",
        json={"fromUser": "alice", "toUser": "dave"},
    )
    assert r.status_code == 200
    handoff = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    assert _events(api, dave, daysBack=0, daysForward=7) == [
        ("On call: dave (Ops policy)", T0, handoff)
    ]
    assert _events(api, team, daysBack=7, daysForward=8) == [
        ("On call: alice (Ops policy)", datetime(2026, 1, 5, 9, 0, tzinfo=UTC), T0),
        ("On call: dave (Ops policy)", T0, handoff),
        ("On call: bob (Ops policy)", handoff, datetime(2026, 1, 13, 12, 0, tzinfo=UTC)),
    ]


def test_rotating_and_revoking_the_url(api: TestClient, ops: OpsTeam) -> None:
    first = api.post(f"{BASE}/team/{ops.team}").json()["path"]
    second = api.post(f"{BASE}/team/{ops.team}").json()["path"]
    assert first != second
    gone = api.get(first, headers={"X-VO-Api-Id": "", "X-VO-Api-Key": ""})
    assert (gone.status_code, gone.json()) == (
        404,
        {
            "error": "Calendar feed not found",
            "message": "Calendar feed not found",
            "field": "token",
        },
    )
    assert _events(api, second, daysBack=0, daysForward=1) == [
        ("On call: alice (Ops policy)", T0, datetime(2026, 1, 6, 12, 0, tzinfo=UTC))
    ]
    r = api.delete(f"{BASE}/team/{ops.team}")
    assert (r.status_code, r.json()) == (200, {})
    assert api.get(second).status_code == 404
    r = api.delete(f"{BASE}/team/{ops.team}")
    assert (r.status_code, r.json()) == (
        404,
        {
            "error": f"No calendar feed for team {ops.team}",
            "message": f"No calendar feed for team {ops.team}",
            "field": "team",
        },
    )


def test_feed_errors(api: TestClient, ops: OpsTeam, container: Container) -> None:
    path = api.post(f"{BASE}/user/alice").json()["path"]
    r = api.get(path, params={"daysForward": 91})
    assert r.status_code == 400
    assert r.json()["field"] == "daysForward"
    r = api.post(f"{BASE}/user/ghost")
    assert (r.status_code, r.json()) == (
        404,
        {"error": "User not found: ghost", "message": "User not found: ghost", "field": "user"},
    )
    r = api.post(f"{BASE}/team/team-nope")
    assert (r.status_code, r.json()) == (
        404,
        {
            "error": "Team not found: team-nope",
            "message": "Team not found: team-nope",
            "field": "team",
        },
    )
    other = make_org(container, name="Globex")
    assert api.post(f"{BASE}/user/alice", headers=other.headers).status_code == 404
    r = api.post(f"{BASE}/user/alice", headers={"X-VO-Api-Id": "", "X-VO-Api-Key": ""})
    assert r.status_code == 401
