"""The issue's scenario: one team, a weekly 24/7 New York rotation of three and a weekday
09:00-17:00 London shift, one policy over both. On-call now, the v2 schedule across the US
spring-forward weekend, a take, a scheduled override with one assignment, the on-call log and
the iCal feed must agree with each other and with these hand-computed expectations.

Hand computation (2026; US clocks spring forward Sun 8 March 02:00 EST → 03:00 EDT; London
stays on GMT until 29 March):
- New York rotation alice → bob → carol, handoff Mondays 09:00 New York time from Monday
  5 January 14:00Z. Week 8 (2 March, 14:00Z) is carol's; week 9 starts Monday 9 March 09:00
  EDT = 13:00Z (one hour earlier in UTC) and is alice's.
- London shift dave/erin weekly from Monday 5 January, 09:00-17:00 GMT on weekdays: week 8
  (2-6 March) dave, week 9 (9-13 March) erin.
- Now = Thursday 5 March 15:00Z: carol (NY) and dave (London, until 17:00Z) are on call.
- bob takes from carol: bob is on call until carol's period ends, 9 March 13:00Z.
- erin is away on Tuesday 10 March (an override of that London day, Europe/London time),
  assigned to dave: dave works 10 March 09:00-17:00Z instead of erin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar

from openoncall.clock import FrozenClock
from tests.api.scheduling_builders import WEEKDAYS_9_TO_5, make_policy
from tests.conftest import Org

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
WINDOW_END = NOW + timedelta(days=7)


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _setup(api: TestClient) -> tuple[str, str]:
    """Users, team, both rotations and the policy, all through the public API."""
    for name in ("alice", "bob", "carol", "dave", "erin"):
        user = {
            "firstName": name.capitalize(),
            "lastName": "Tester",
            "username": name,
            "email": f"{name}@example.com",
        }
        assert api.post("/api-public/v1/user", json=user).status_code == 200
    r = api.post("/api-public/v1/team", json={"name": "Platform"})
    assert r.status_code == 200, r.text
    team: str = r.json()["slug"]
    for name in ("alice", "bob", "carol", "dave", "erin"):
        r = api.post(f"/api-public/v1/team/{team}/members", json={"username": name})
        assert r.status_code == 200, r.text
    ny = {
        "label": "NY 24/7",
        "shifts": [
            {
                "label": "Weekly",
                "timezone": "America/New_York",
                "start": "2026-01-05T09:00:00-05:00",
                "duration": 7,
                "shifttype": "std",
                "usernames": ["alice", "bob", "carol"],
            }
        ],
    }
    london = {
        "label": "London days",
        "shifts": [
            {
                "label": "Business hours",
                "timezone": "Europe/London",
                "start": "2026-01-05T09:00:00Z",
                "duration": 7,
                "shifttype": "pho",
                **WEEKDAYS_9_TO_5,
                "usernames": ["dave", "erin"],
            }
        ],
    }
    slugs = []
    for rotation in (ny, london):
        r = api.post(f"/api-public/v1/teams/{team}/rotations", json=rotation)
        assert r.status_code == 200, r.text
        slugs.append(r.json()["slug"])
    return team, make_policy(api, team, "Platform on-call", slugs)


def _now_users(api: TestClient) -> list[str]:
    r = api.get("/api-public/v1/oncall/current")
    assert r.status_code == 200
    (team,) = r.json()["teamsOnCall"]
    (policy,) = team["oncallNow"]
    return [u["onCalluser"]["username"] for u in policy["users"]]


def _final_from_schedule(policy_schedule: dict[str, Any]) -> set[tuple[str, datetime, datetime]]:
    """Apply the schedule's `overrides` to its `rolls`, as a client would, and merge each
    user's back-to-back pieces: the final on-call intervals."""
    pieces: list[tuple[str, datetime, datetime]] = []
    overrides = [
        (
            o["origOnCallUser"]["username"],
            o["overrideOnCallUser"]["username"],
            _z(o["start"]),
            _z(o["end"]),
        )
        for o in policy_schedule["overrides"]
    ]
    for entry in policy_schedule["schedule"]:
        for roll in entry["rolls"]:
            todo = [(roll["onCallUser"]["username"], _z(roll["start"]), _z(roll["end"]))]
            for orig, over, o_start, o_end in overrides:
                nxt = []
                for user, start, end in todo:
                    if user != orig or end <= o_start or start >= o_end:
                        nxt.append((user, start, end))
                        continue
                    if start < o_start:
                        nxt.append((user, start, o_start))
                    nxt.append((over, max(start, o_start), min(end, o_end)))
                    if end > o_end:
                        nxt.append((user, o_end, end))
                todo = nxt
            pieces.extend(todo)
    merged: list[tuple[str, datetime, datetime]] = []
    for user, start, end in sorted(pieces, key=lambda p: (p[0], p[1])):
        if merged and merged[-1][0] == user and merged[-1][2] == start:
            merged[-1] = (user, merged[-1][1], end)
        else:
            merged.append((user, start, end))
    return set(merged)


EXPECTED_FINAL = {
    ("bob", NOW, datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),
    ("alice", datetime(2026, 3, 9, 13, 0, tzinfo=UTC), WINDOW_END),
    ("dave", NOW, datetime(2026, 3, 5, 17, 0, tzinfo=UTC)),
    ("dave", datetime(2026, 3, 6, 9, 0, tzinfo=UTC), datetime(2026, 3, 6, 17, 0, tzinfo=UTC)),
    ("erin", datetime(2026, 3, 9, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 17, 0, tzinfo=UTC)),
    ("dave", datetime(2026, 3, 10, 9, 0, tzinfo=UTC), datetime(2026, 3, 10, 17, 0, tzinfo=UTC)),
    ("erin", datetime(2026, 3, 11, 9, 0, tzinfo=UTC), datetime(2026, 3, 11, 17, 0, tzinfo=UTC)),
    ("erin", datetime(2026, 3, 12, 9, 0, tzinfo=UTC), WINDOW_END),
}


def test_scenario_everything_agrees(api: TestClient, org: Org, clock: FrozenClock) -> None:
    clock.set(NOW)
    team, policy = _setup(api)

    # On call now, before anything is overridden.
    assert _now_users(api) == ["carol", "dave"]

    # Take On-Call: bob takes carol's shift until it ends (Monday 9 March 09:00 EDT).
    r = api.patch(
        f"/api-public/v1/policies/{policy}/oncall/user",
        json={"fromUser": "carol", "toUser": "bob"},
    )
    assert r.status_code == 200
    assert r.json() == {"result": "ok"}
    assert _now_users(api) == ["bob", "dave"]

    # A scheduled override of erin's Tuesday, with the one policy she is on call for.
    r = api.post(
        "/api-public/v1/overrides",
        json={
            "username": "erin",
            "timezone": "Europe/London",
            "start": "2026-03-10T00:00:00",
            "end": "2026-03-11T00:00:00",
        },
    )
    assert r.status_code == 200, r.text
    public_id = r.json()["schedule"]["publicId"]
    assignment_url = f"/api-public/v1/overrides/{public_id}/assignments/{policy}"
    assert r.json() == {
        "_selfUrl": f"/api-public/v1/overrides/{public_id}",
        "schedule": {
            "publicId": public_id,
            "user": {"username": "erin", "firstName": "Erin", "lastName": "Tester"},
            "timezone": "Europe/London",
            "start": "2026-03-10T00:00:00+00:00",
            "end": "2026-03-11T00:00:00+00:00",
            "assignments": [
                {
                    "_selfUrl": assignment_url,
                    "team": team,
                    "policy": policy,
                    "assigned": False,
                    "user": None,
                }
            ],
        },
    }
    r = api.put(assignment_url, json={"policy": policy, "username": "dave"})
    assert r.status_code == 200
    assert r.json() == {
        "_selfUrl": assignment_url,
        "team": team,
        "policy": policy,
        "assigned": True,
        "user": "dave",
    }

    # The v2 schedule over the spring-forward weekend: rotations as scheduled (New York
    # times in EST then EDT, London in GMT), the take and the override on top.
    r = api.get(f"/api-public/v2/team/{team}/oncall/schedule", params={"daysForward": 7})
    assert r.status_code == 200
    schedule = r.json()
    assert schedule == {
        "team": {"name": "Platform", "slug": team},
        "schedules": [
            {
                "policy": {
                    "name": "Platform on-call",
                    "slug": policy,
                    "_selfUrl": f"/api-public/v1/policies/{policy}",
                },
                "schedule": [
                    {
                        "onCallUser": {"username": "carol"},
                        "overrideOnCallUser": {"username": "bob"},
                        "onCallType": "rotation_group",
                        "rotationName": "NY 24/7",
                        "shiftName": "Weekly",
                        "shiftRoll": "2026-03-09T09:00:00-04:00",
                        "rolls": [
                            {
                                "start": "2026-03-05T10:00:00-05:00",
                                "end": "2026-03-09T09:00:00-04:00",
                                "onCallUser": {"username": "carol"},
                                "isRoll": False,
                            },
                            {
                                "start": "2026-03-09T09:00:00-04:00",
                                "end": "2026-03-12T11:00:00-04:00",
                                "onCallUser": {"username": "alice"},
                                "isRoll": True,
                            },
                        ],
                    },
                    {
                        "onCallUser": {"username": "dave"},
                        "onCallType": "rotation_group",
                        "rotationName": "London days",
                        "shiftName": "Business hours",
                        "shiftRoll": "2026-03-05T17:00:00+00:00",
                        "rolls": [
                            {
                                "start": "2026-03-05T15:00:00+00:00",
                                "end": "2026-03-05T17:00:00+00:00",
                                "onCallUser": {"username": "dave"},
                                "isRoll": False,
                            },
                            {
                                "start": "2026-03-06T09:00:00+00:00",
                                "end": "2026-03-06T17:00:00+00:00",
                                "onCallUser": {"username": "dave"},
                                "isRoll": True,
                            },
                        ]
                        + [
                            {
                                "start": f"2026-03-{day:02d}T09:00:00+00:00",
                                "end": f"2026-03-{day:02d}T17:00:00+00:00",
                                "onCallUser": {"username": "erin"},
                                "isRoll": True,
                            }
                            for day in (9, 10, 11)
                        ]
                        + [
                            {
                                "start": "2026-03-12T09:00:00+00:00",
                                "end": "2026-03-12T15:00:00+00:00",
                                "onCallUser": {"username": "erin"},
                                "isRoll": True,
                            }
                        ],
                    },
                ],
                "overrides": [
                    {
                        "origOnCallUser": {"username": "carol"},
                        "overrideOnCallUser": {"username": "bob"},
                        "start": "2026-03-05T10:00:00-05:00",
                        "end": "2026-03-09T09:00:00-04:00",
                    },
                    {
                        "origOnCallUser": {"username": "erin"},
                        "overrideOnCallUser": {"username": "dave"},
                        "start": "2026-03-10T09:00:00+00:00",
                        "end": "2026-03-10T17:00:00+00:00",
                    },
                ],
            }
        ],
    }
    (policy_schedule,) = schedule["schedules"]
    assert _final_from_schedule(policy_schedule) == EXPECTED_FINAL

    # The on-call log over the same window: the same intervals, with their totals.
    r = api.get(
        f"/api-reporting/v1/team/{team}/oncall/log",
        params={"start": "2026-03-05T15:00:00Z", "end": "2026-03-12T15:00:00Z"},
    )
    assert r.status_code == 200
    log = r.json()
    ref = {
        "name": "Platform on-call",
        "slug": policy,
        "_selfUrl": f"/api-public/v1/policies/{policy}",
    }

    def interval(on: str, off: str, hours: int) -> dict[str, Any]:
        return {
            "on": on,
            "off": off,
            "duration": {"hours": hours, "minutes": 0},
            "escalationPolicy": ref,
        }

    assert log == {
        "teamSlug": team,
        "start": "2026-03-05T15:00:00Z",
        "end": "2026-03-12T15:00:00Z",
        "userLogs": [
            {
                "userId": "alice",
                "total": {"hours": 74, "minutes": 0},
                "adjustedTotal": {"hours": 74, "minutes": 0},
                "log": [interval("2026-03-09T13:00:00Z", "2026-03-12T15:00:00Z", 74)],
            },
            {
                "userId": "bob",
                "total": {"hours": 94, "minutes": 0},
                "adjustedTotal": {"hours": 94, "minutes": 0},
                "log": [interval("2026-03-05T15:00:00Z", "2026-03-09T13:00:00Z", 94)],
            },
            {
                "userId": "dave",
                "total": {"hours": 18, "minutes": 0},
                "adjustedTotal": {"hours": 18, "minutes": 0},
                "log": [
                    interval("2026-03-05T15:00:00Z", "2026-03-05T17:00:00Z", 2),
                    interval("2026-03-06T09:00:00Z", "2026-03-06T17:00:00Z", 8),
                    interval("2026-03-10T09:00:00Z", "2026-03-10T17:00:00Z", 8),
                ],
            },
            {
                "userId": "erin",
                "total": {"hours": 22, "minutes": 0},
                "adjustedTotal": {"hours": 22, "minutes": 0},
                "log": [
                    interval("2026-03-09T09:00:00Z", "2026-03-09T17:00:00Z", 8),
                    interval("2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z", 8),
                    interval("2026-03-12T09:00:00Z", "2026-03-12T15:00:00Z", 6),
                ],
            },
        ],
    }
    from_log = {(u["userId"], _z(i["on"]), _z(i["off"])) for u in log["userLogs"] for i in u["log"]}
    assert from_log == EXPECTED_FINAL

    # The team's calendar feed for the same window parses and shows the same intervals.
    r = api.post(f"/api-ext/v1/calendar/team/{team}")
    assert r.status_code == 200
    feed = r.json()["path"]
    api.headers.clear()  # calendar apps fetch the feed without API headers
    r = api.get(feed, params={"daysBack": 0, "daysForward": 7})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(r.content)
    events = list(calendar.walk("VEVENT"))
    from_ical = {
        (
            str(e.get("summary")).removeprefix("On call: ").split(" ")[0],
            e.decoded("dtstart").astimezone(UTC),
            e.decoded("dtend").astimezone(UTC),
        )
        for e in events
    }
    assert from_ical == EXPECTED_FINAL
    assert len(events) == len(EXPECTED_FINAL)

    # Time moves on: on-call now follows the handoffs, the take's end and the override.
    api.headers.update(org.headers)
    clock.set(datetime(2026, 3, 9, 8, 59, tzinfo=UTC))
    assert _now_users(api) == ["bob"]
    clock.set(datetime(2026, 3, 9, 12, 59, tzinfo=UTC))
    assert _now_users(api) == ["bob", "erin"]
    clock.set(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
    assert _now_users(api) == ["alice", "erin"]
    clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    assert _now_users(api) == ["alice", "dave"]
    clock.set(datetime(2026, 3, 10, 17, 0, tzinfo=UTC))
    assert _now_users(api) == ["alice"]
