"""Team and user on-call schedules, v2 (ISO with the shift zone's offset) and v1 (epoch ms)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.api.scheduling_builders import OpsTeam, make_ops_team
from tests.conftest import Org, make_org


def ms(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


@pytest.fixture
def two_step(api: TestClient, ops: OpsTeam) -> str:
    """A second policy: step 0 the rotation; step 1 its next/previous, dave, an email."""
    first = [{"executionType": "rotation_group", "rotationGroup": {"slug": ops.rotation}}]
    second = [
        {"executionType": "rotation_group_next", "rotationGroup": {"slug": ops.rotation}},
        {"executionType": "rotation_group_previous", "rotationGroup": {"slug": ops.rotation}},
        {"executionType": "user", "user": {"username": "dave"}},
        {"executionType": "email", "email": {"address": "noc@example.com"}},
    ]
    r = api.post(
        "/api-public/v1/policies",
        json={
            "name": "Escalating",
            "teamSlug": ops.team,
            "steps": [{"timeout": 0, "entries": first}, {"timeout": 10, "entries": second}],
        },
    )
    slug: str = r.json()["slug"]
    return slug


def _summary(slug: str, name: str) -> dict[str, str]:
    return {"name": name, "slug": slug, "_selfUrl": f"/api-public/v1/policies/{slug}"}


ALICE_NOW = {
    "onCallUser": {"username": "alice"},
    "onCallType": "rotation_group",
    "rotationName": "Primary",
    "shiftName": "Weekly",
    "shiftRoll": "2026-01-12T09:00:00+00:00",
}


def test_v2_team_schedule_step_0_over_a_day(api: TestClient, ops: OpsTeam, two_step: str) -> None:
    r = api.get(f"/api-public/v2/team/{ops.team}/oncall/schedule", params={"daysForward": 1})
    assert r.status_code == 200
    rolls = [
        {
            "start": "2026-01-05T12:00:00+00:00",
            "end": "2026-01-06T12:00:00+00:00",
            "onCallUser": {"username": "alice"},
            "isRoll": False,
        }
    ]
    assert r.json() == {
        "team": {"name": "Ops", "slug": ops.team},
        "schedules": [
            {
                "policy": _summary(ops.policy, "Ops policy"),
                "schedule": [{**ALICE_NOW, "rolls": rolls}],
                "overrides": [],
            },
            {
                "policy": _summary(two_step, "Escalating"),
                "schedule": [{**ALICE_NOW, "rolls": rolls}],
                "overrides": [],
            },
        ],
    }


def test_v2_team_schedule_step_1_shows_every_entry_type(
    api: TestClient, ops: OpsTeam, two_step: str
) -> None:
    r = api.get(
        f"/api-public/v2/team/{ops.team}/oncall/schedule",
        params={"daysForward": 1, "step": 1},
    )
    assert r.status_code == 200
    assert r.json()["schedules"] == [
        {"policy": _summary(ops.policy, "Ops policy"), "schedule": [], "overrides": []},
        {
            "policy": _summary(two_step, "Escalating"),
            "schedule": [
                {
                    "onCallUser": {"username": "bob"},
                    "onCallType": "rotation_group_next",
                    "rotationName": "Primary",
                    "rolls": [],
                },
                {
                    "onCallUser": {"username": "carol"},
                    "onCallType": "rotation_group_previous",
                    "rotationName": "Primary",
                    "rolls": [],
                },
                # dave is named in the step: paged, not on call (docs/wire-notes.md).
                {"onCallType": "user", "rolls": []},
                {"onCallType": "email", "rolls": []},
            ],
            "overrides": [],
        },
    ]


def test_v2_schedule_days_skip_and_handoffs(api: TestClient, ops: OpsTeam) -> None:
    r = api.get(
        f"/api-public/v2/team/{ops.team}/oncall/schedule",
        params={"daysForward": 14, "daysSkip": 3},
    )
    assert r.status_code == 200
    (policy,) = r.json()["schedules"]
    assert policy["schedule"] == [
        {
            **ALICE_NOW,
            "rolls": [
                {
                    "start": "2026-01-08T12:00:00+00:00",
                    "end": "2026-01-12T09:00:00+00:00",
                    "onCallUser": {"username": "alice"},
                    "isRoll": False,
                },
                {
                    "start": "2026-01-12T09:00:00+00:00",
                    "end": "2026-01-19T09:00:00+00:00",
                    "onCallUser": {"username": "bob"},
                    "isRoll": True,
                },
                {
                    "start": "2026-01-19T09:00:00+00:00",
                    "end": "2026-01-22T12:00:00+00:00",
                    "onCallUser": {"username": "carol"},
                    "isRoll": True,
                },
            ],
        }
    ]


def test_v1_team_schedule_in_epoch_milliseconds(api: TestClient, ops: OpsTeam) -> None:
    r = api.patch(
        f"/api-public/v1/policies/{ops.policy}/oncall/user",
        json={"fromUser": "alice", "toUser": "dave"},
    )
    assert r.status_code == 200
    r = api.get(f"/api-public/v1/team/{ops.team}/oncall/schedule", params={"daysForward": 1})
    assert r.status_code == 200
    assert r.json() == {
        "team": ops.team,
        "schedule": [
            {
                "oncall": "alice",
                "overrideoncall": "dave",
                "policyType": "rotation_group",
                "rotationName": "Primary",
                "shiftName": "Weekly",
                "shiftRoll": ms(2026, 1, 12, 9),
                "rolls": [
                    {
                        "change": ms(2026, 1, 5, 12),
                        "until": ms(2026, 1, 6, 12),
                        "oncall": "alice",
                        "isRoll": False,
                    }
                ],
            }
        ],
        "overrides": [
            {
                "orig": "alice",
                "over": "dave",
                "start": ms(2026, 1, 5, 12),
                "end": ms(2026, 1, 6, 12),
            }
        ],
    }


def test_user_schedules_show_only_that_users_part(api: TestClient, ops: OpsTeam) -> None:
    r = api.get("/api-public/v2/user/bob/oncall/schedule", params={"daysForward": 14})
    assert r.status_code == 200
    bob_roll = {
        "start": "2026-01-12T09:00:00+00:00",
        "end": "2026-01-19T09:00:00+00:00",
        "onCallUser": {"username": "bob"},
        "isRoll": True,
    }
    assert r.json() == {
        "teamSchedules": [
            {
                "team": {"name": "Ops", "slug": ops.team},
                "schedules": [
                    {
                        "policy": _summary(ops.policy, "Ops policy"),
                        "schedule": [{**ALICE_NOW, "rolls": [bob_roll]}],
                        "overrides": [],
                    }
                ],
            }
        ]
    }
    r = api.get("/api-public/v1/user/bob/oncall/schedule", params={"daysForward": 14})
    assert r.status_code == 200
    assert r.json() == [
        {
            "team": ops.team,
            "schedule": [
                {
                    "oncall": "alice",
                    "policyType": "rotation_group",
                    "rotationName": "Primary",
                    "shiftName": "Weekly",
                    "shiftRoll": ms(2026, 1, 12, 9),
                    "rolls": [
                        {
                            "change": ms(2026, 1, 12, 9),
                            "until": ms(2026, 1, 19, 9),
                            "oncall": "bob",
                            "isRoll": True,
                        }
                    ],
                }
            ],
            "overrides": [],
        }
    ]
    # dave is in the team but on no rotation in these two weeks.
    r = api.get("/api-public/v2/user/dave/oncall/schedule", params={"daysForward": 14})
    assert r.json() == {
        "teamSchedules": [{"team": {"name": "Ops", "slug": ops.team}, "schedules": []}]
    }


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"daysForward": 31}, "daysForward", "Input should be less than or equal to 30"),
        ({"daysForward": -1}, "daysForward", "Input should be greater than or equal to 0"),
        ({"daysSkip": 91}, "daysSkip", "Input should be less than or equal to 90"),
        ({"step": 4}, "step", "Input should be less than or equal to 3"),
        (
            {"step": "first"},
            "step",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
    ],
    ids=["forward-31", "forward-neg", "skip-91", "step-4", "step-text"],
)
def test_parameters_beyond_bounds_are_400_naming_them(
    api: TestClient, ops: OpsTeam, *, params: dict[str, Any], field: str, message: str
) -> None:
    paths = [
        f"/api-public/v2/team/{ops.team}/oncall/schedule",
        f"/api-public/v1/team/{ops.team}/oncall/schedule",
        "/api-public/v2/user/alice/oncall/schedule",
        "/api-public/v1/user/alice/oncall/schedule",
    ]
    for path in paths:
        r = api.get(path, params=params)
        assert r.status_code == 400, path
        assert r.json() == {
            "error": f"Invalid value for field '{field}': {message}",
            "message": f"Invalid value for field '{field}': {message}",
            "field": field,
        }


def test_bounds_themselves_are_accepted(api: TestClient, ops: OpsTeam) -> None:
    r = api.get(
        f"/api-public/v2/team/{ops.team}/oncall/schedule",
        params={"daysForward": 30, "daysSkip": 90, "step": 3},
    )
    assert r.status_code == 200
    assert r.json()["schedules"] == [
        {"policy": _summary(ops.policy, "Ops policy"), "schedule": [], "overrides": []}
    ]


def test_unknown_team_or_user_is_404_and_orgs_are_apart(
    api: TestClient, ops: OpsTeam, container: Container
) -> None:
    for path, body in [
        (
            "/api-public/v2/team/team-nope/oncall/schedule",
            {
                "error": "Team not found: team-nope",
                "message": "Team not found: team-nope",
                "field": "team",
            },
        ),
        (
            "/api-public/v1/team/team-nope/oncall/schedule",
            {
                "error": "Team not found: team-nope",
                "message": "Team not found: team-nope",
                "field": "team",
            },
        ),
        (
            "/api-public/v2/user/ghost/oncall/schedule",
            {"error": "User not found: ghost", "message": "User not found: ghost", "field": "user"},
        ),
        (
            "/api-public/v1/user/ghost/oncall/schedule",
            {"error": "User not found: ghost", "message": "User not found: ghost", "field": "user"},
        ),
    ]:
        r = api.get(path)
        assert (r.status_code, r.json()) == (404, body), path
    other = make_org(container, name="Globex")
    r = api.get(f"/api-public/v2/team/{ops.team}/oncall/schedule", headers=other.headers)
    assert r.status_code == 404


def test_a_user_named_in_a_step_is_on_call_in_no_view(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    """dave is named directly in step 0 of a policy: paged, but not on call anywhere."""
    r = api.post(
        "/api-public/v1/policies",
        json={
            "name": "Direct",
            "teamSlug": ops.team,
            "steps": [
                {"timeout": 0, "entries": [{"executionType": "user", "user": {"username": "dave"}}]}
            ],
        },
    )
    assert r.status_code == 200, r.text
    direct = r.json()["slug"]

    team = api.get(f"/api-public/v2/team/{ops.team}/oncall/schedule", params={"daysForward": 1})
    by_policy = {s["policy"]["slug"]: s["schedule"] for s in team.json()["schedules"]}
    assert by_policy[direct] == [{"onCallType": "user", "rolls": []}]
    v1 = api.get(f"/api-public/v1/team/{ops.team}/oncall/schedule", params={"daysForward": 1})
    assert [e.get("oncall") for e in v1.json()["schedule"]] == ["alice", None]

    v2_dave = api.get("/api-public/v2/user/dave/oncall/schedule", params={"daysForward": 1})
    assert v2_dave.json() == {
        "teamSchedules": [{"team": {"name": "Ops", "slug": ops.team}, "schedules": []}]
    }
    v1_dave = api.get("/api-public/v1/user/dave/oncall/schedule", params={"daysForward": 1})
    assert v1_dave.json() == [{"team": ops.team, "schedule": [], "overrides": []}]

    now = api.get("/api-public/v1/oncall/current").json()
    on_call = {
        p["escalationPolicy"]["slug"]: [u["onCalluser"]["username"] for u in p["users"]]
        for t in now["teamsOnCall"]
        for p in t["oncallNow"]
    }
    assert on_call == {ops.policy: ["alice"], direct: []}

    r = api.patch(
        f"/api-public/v1/policies/{direct}/oncall/user", json={"fromUser": "dave", "toUser": "bob"}
    )
    assert r.status_code == 400
    assert "dave" in r.json()["error"]
