"""GET /api-reporting/v1/team/{team}/oncall/log: intervals per user and policy, totals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.api.scheduling_builders import OpsTeam, make_ops_team, make_policy
from tests.conftest import Org, make_org


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _url(ops: OpsTeam) -> str:
    return f"/api-reporting/v1/team/{ops.team}/oncall/log"


def _interval(
    on: str, off: str, hours: int, minutes: int, *, slug: str, name: str
) -> dict[str, Any]:
    return {
        "on": on,
        "off": off,
        "duration": {"hours": hours, "minutes": minutes},
        "escalationPolicy": {
            "name": name,
            "slug": slug,
            "_selfUrl": f"/api-public/v1/policies/{slug}",
        },
    }


def test_default_window_is_today_utc(api: TestClient, ops: OpsTeam) -> None:
    r = api.get(_url(ops))
    assert r.status_code == 200
    assert r.json() == {
        "teamSlug": ops.team,
        "start": "2026-01-05T00:00:00Z",
        "end": "2026-01-05T23:59:59Z",
        "userLogs": [
            {
                "userId": "alice",
                "total": {"hours": 14, "minutes": 59},
                "adjustedTotal": {"hours": 14, "minutes": 59},
                "log": [
                    _interval(
                        "2026-01-05T09:00:00Z",
                        "2026-01-05T23:59:59Z",
                        14,
                        59,
                        slug=ops.policy,
                        name="Ops policy",
                    )
                ],
            }
        ],
    }


def test_two_policies_at_once_count_once_in_the_adjusted_total(
    api: TestClient, ops: OpsTeam
) -> None:
    second = make_policy(api, ops.team, "Ops secondary", [ops.rotation])
    r = api.get(
        _url(ops),
        params={"start": "2026-01-10T00:00:00Z", "end": "2026-01-14T00:00:00Z", "userName": "bob"},
    )
    assert r.status_code == 200
    on, off = "2026-01-12T09:00:00Z", "2026-01-14T00:00:00Z"
    assert r.json() == {
        "teamSlug": ops.team,
        "start": "2026-01-10T00:00:00Z",
        "end": "2026-01-14T00:00:00Z",
        "userLogs": [
            {
                "userId": "bob",
                "total": {"hours": 78, "minutes": 0},
                "adjustedTotal": {"hours": 39, "minutes": 0},
                "log": [
                    _interval(on, off, 39, 0, slug=ops.policy, name="Ops policy"),
                    _interval(on, off, 39, 0, slug=second, name="Ops secondary"),
                ],
            }
        ],
    }


def test_log_shows_takes_and_dates_without_times(api: TestClient, ops: OpsTeam) -> None:
    r = api.patch(
        f"/api-public/v1/policies/{ops.policy}/oncall/user",
        json={"fromUser": "alice", "toUser": "dave"},
    )
    assert r.status_code == 200
    r = api.get(_url(ops), params={"start": "2026-01-05", "end": "2026-01-13"})
    assert r.status_code == 200
    assert [
        (u["userId"], [(i["on"], i["off"]) for i in u["log"]]) for u in r.json()["userLogs"]
    ] == [
        ("alice", [("2026-01-05T09:00:00Z", "2026-01-05T12:00:00Z")]),
        ("bob", [("2026-01-12T09:00:00Z", "2026-01-13T00:00:00Z")]),
        ("dave", [("2026-01-05T12:00:00Z", "2026-01-12T09:00:00Z")]),
    ]


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        (
            {"start": "yesterday"},
            400,
            {
                "error": "Invalid ISO-8601 date-time: 'yesterday'",
                "message": "Invalid ISO-8601 date-time: 'yesterday'",
                "field": "start",
            },
        ),
        (
            {"start": "2026-01-05T10:00:00Z", "end": "2026-01-05T09:00:00Z"},
            400,
            {
                "error": "end must be after start",
                "message": "end must be after start",
                "field": "end",
            },
        ),
        (
            {"start": "2025-01-01T00:00:00Z", "end": "2026-01-05T00:00:00Z"},
            400,
            {
                "error": "The range may be at most 366 days",
                "message": "The range may be at most 366 days",
                "field": "end",
            },
        ),
        (
            {"userName": "ghost"},
            404,
            {
                "error": "User not found: ghost",
                "message": "User not found: ghost",
                "field": "userName",
            },
        ),
        (
            {"start": "9999-12-30", "end": "9999-12-31"},
            400,
            {
                "error": "start must be between 1970 and 2200",
                "message": "start must be between 1970 and 2200",
                "field": "start",
            },
        ),
    ],
    ids=["bad-start", "end-before-start", "too-long", "unknown-user", "year-9999"],
)
def test_bad_parameters_are_refused_naming_them(
    api: TestClient, ops: OpsTeam, *, params: dict[str, str], status: int, body: dict[str, str]
) -> None:
    r = api.get(_url(ops), params=params)
    assert (r.status_code, r.json()) == (status, body)


def test_unknown_team_is_404_and_orgs_are_apart(
    api: TestClient, ops: OpsTeam, container: Container
) -> None:
    r = api.get("/api-reporting/v1/team/team-nope/oncall/log")
    assert (r.status_code, r.json()) == (
        404,
        {
            "error": "Team not found: team-nope",
            "message": "Team not found: team-nope",
            "field": "team",
        },
    )
    other = make_org(container, name="Globex")
    assert api.get(_url(ops), headers=other.headers).status_code == 404
