"""Take On-Call: PATCH /api-public/v1/policies/{policy}/oncall/user and the team form."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.audit.models import AuditEvent
from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.overrides.models import OnCallTake
from tests.api.conftest import LiveServer
from tests.api.scheduling_builders import (
    OpsTeam,
    ShiftSpec,
    make_ops_team,
    make_policy,
    make_rotation,
)
from tests.conftest import T0, Org, make_org

HANDOFF = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # alice → bob


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _now_users(api: TestClient) -> list[str]:
    body = api.get("/api-public/v1/oncall/current").json()
    return [
        u["onCalluser"]["username"]
        for t in body["teamsOnCall"]
        for p in t["oncallNow"]
        for u in p["users"]
    ]


def _take(api: TestClient, path: str, from_user: str, to_user: str) -> tuple[int, object]:
    r = api.patch(path, json={"fromUser": from_user, "toUser": to_user})
    return r.status_code, r.json()


def test_take_replaces_from_user_until_their_period_ends(
    api: TestClient, ops: OpsTeam, container: Container, clock: FrozenClock, org: Org
) -> None:
    assert _now_users(api) == ["alice"]
    path = f"/api-public/v1/policies/{ops.policy}/oncall/user"
    assert _take(api, path, "alice", "dave") == (200, {"result": "ok"})
    assert _now_users(api) == ["dave"]
    with container.sessions.transaction(write=False) as session:
        take = session.scalars(select(OnCallTake)).one()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "oncall.take")).one()
    assert (take.start_at, take.end_at) == (T0, HANDOFF)
    assert audit.subject_id == ops.policy
    assert audit.detail == {"fromUser": "alice", "toUser": "dave", "until": HANDOFF.isoformat()}
    assert (audit.actor, audit.at) == ("admin", T0)
    clock.set(HANDOFF - timedelta(seconds=1))
    assert _now_users(api) == ["dave"]
    clock.set(HANDOFF)
    assert _now_users(api) == ["bob"]


def test_take_twice_or_from_yourself_is_harmless(
    api: TestClient, ops: OpsTeam, container: Container
) -> None:
    path = f"/api-public/v1/policies/{ops.policy}/oncall/user"
    assert _take(api, path, "alice", "alice") == (200, {"result": "ok"})
    assert _take(api, path, "alice", "dave") == (200, {"result": "ok"})
    assert _take(api, path, "alice", "dave") == (200, {"result": "ok"})
    assert _now_users(api) == ["dave"]
    with container.sessions.transaction(write=False) as session:
        assert len(session.scalars(select(OnCallTake)).all()) == 1
    # And taken back: dave hands it to alice again until the same handoff.
    assert _take(api, path, "dave", "alice") == (200, {"result": "ok"})
    assert _now_users(api) == ["alice"]


def test_take_from_someone_not_on_call_is_400_naming_why(api: TestClient, ops: OpsTeam) -> None:
    path = f"/api-public/v1/policies/{ops.policy}/oncall/user"
    assert _take(api, path, "bob", "dave") == (
        400,
        {
            "error": f"bob is not on call for policy {ops.policy}",
            "message": f"bob is not on call for policy {ops.policy}",
            "field": "fromUser",
        },
    )
    assert _now_users(api) == ["alice"]


def test_take_with_unknown_policy_team_or_user_is_404(api: TestClient, ops: OpsTeam) -> None:
    policy_path = f"/api-public/v1/policies/{ops.policy}/oncall/user"
    assert _take(api, "/api-public/v1/policies/pol-nope/oncall/user", "alice", "dave") == (
        404,
        {
            "error": "Escalation policy not found: pol-nope",
            "message": "Escalation policy not found: pol-nope",
            "field": "policy",
        },
    )
    assert _take(api, policy_path, "ghost", "dave") == (
        404,
        {"error": "User not found: ghost", "message": "User not found: ghost", "field": "fromUser"},
    )
    assert _take(api, policy_path, "alice", "ghost") == (
        404,
        {"error": "User not found: ghost", "message": "User not found: ghost", "field": "toUser"},
    )
    assert _take(api, "/api-public/v1/team/team-nope/oncall/user", "alice", "dave") == (
        404,
        {
            "error": "Team not found: team-nope",
            "message": "Team not found: team-nope",
            "field": "team",
        },
    )
    r = api.patch(policy_path, json={"fromUser": "alice"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: toUser",
        "message": "Missing field: toUser",
        "field": "toUser",
    }


def test_deprecated_team_take_applies_to_every_policy_where_from_is_on_call(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    second = make_policy(api, ops.team, "Ops secondary", [ops.rotation])
    path = f"/api-public/v1/team/{ops.team}/oncall/user"
    assert _take(api, path, "alice", "carol") == (200, {"result": "ok"})
    body = api.get("/api-public/v1/oncall/current").json()
    (team,) = body["teamsOnCall"]
    assert [
        (p["escalationPolicy"]["slug"], [u["onCalluser"]["username"] for u in p["users"]])
        for p in team["oncallNow"]
    ] == [(ops.policy, ["carol"]), (second, ["carol"])]
    assert _take(api, path, "bob", "dave") == (
        400,
        {
            "error": f"bob is not on call for team {ops.team}",
            "message": f"bob is not on call for team {ops.team}",
            "field": "fromUser",
        },
    )


def test_take_only_touches_the_named_policy_and_org(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    second = make_policy(api, ops.team, "Ops secondary", [ops.rotation])
    path = f"/api-public/v1/policies/{ops.policy}/oncall/user"
    assert _take(api, path, "alice", "dave") == (200, {"result": "ok"})
    body = api.get("/api-public/v1/oncall/current").json()
    (team,) = body["teamsOnCall"]
    assert [
        (p["escalationPolicy"]["slug"], [u["onCalluser"]["username"] for u in p["users"]])
        for p in team["oncallNow"]
    ] == [(ops.policy, ["dave"]), (second, ["alice"])]
    other = make_org(container, name="Globex")
    r = api.patch(path, json={"fromUser": "alice", "toUser": "dave"}, headers=other.headers)
    assert r.status_code == 404


def test_take_on_a_partial_shift_ends_at_the_end_of_the_day_shift(
    api: TestClient, container: Container, org: Org, ops: OpsTeam, clock: FrozenClock
) -> None:
    days = make_rotation(
        container,
        org.org_id,
        ops.team,
        "Days",
        [
            ShiftSpec(
                "Day",
                "Europe/London",
                datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
                ["carol"],
                kind="pho",
                mask={
                    "mask": {
                        "day": {"m": True, "t": True, "w": True, "th": True, "f": True},
                        "time": [
                            {"start": {"hour": 9, "minute": 0}, "end": {"hour": 17, "minute": 0}}
                        ],
                    }
                },
            )
        ],
    )
    policy = make_policy(api, ops.team, "Days policy", [days])
    path = f"/api-public/v1/policies/{policy}/oncall/user"
    assert _take(api, path, "carol", "bob") == (200, {"result": "ok"})
    with container.sessions.transaction(write=False) as session:
        take = session.scalars(select(OnCallTake)).one()
    assert take.end_at == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
    clock.set(datetime(2026, 1, 6, 10, 0, tzinfo=UTC))
    r = api.get("/api-public/v1/oncall/current").json()
    users = {
        p["escalationPolicy"]["slug"]: [u["onCalluser"]["username"] for u in p["users"]]
        for p in r["teamsOnCall"][0]["oncallNow"]
    }
    assert users == {ops.policy: ["alice"], policy: ["carol"]}


def _race_takes(
    base_url: str, headers: dict[str, str], path: str, takers: list[str]
) -> list[tuple[int, object]]:
    """Every taker asks for alice's shift at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(takers))

    def take(to_user: str) -> tuple[int, object]:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            client.get("/healthz")  # connect before the barrier, so only the PATCH races
            barrier.wait()
            r = client.patch(path, json={"fromUser": "alice", "toUser": to_user})
            return r.status_code, r.json()

    with ThreadPoolExecutor(len(takers)) as pool:
        return list(pool.map(take, takers))


def test_concurrent_takes_of_one_shift_one_wins_the_other_is_409_naming_the_holder(
    live_server: LiveServer, ops: OpsTeam, container: Container, org: Org
) -> None:
    path = f"/api-public/v1/policies/{ops.policy}/oncall/user"
    for _ in range(6):
        results = _race_takes(live_server.base_url, org.headers, path, ["bob", "carol"])
        with container.sessions.transaction() as session:
            takes = session.scalars(select(OnCallTake)).all()
            holders = [t.to_user_id for t in takes]
            for take in takes:
                session.delete(take)
        assert len(holders) == 1
        ok = [i for i, (code, _) in enumerate(results) if code == 200]
        assert len(ok) == 1, results
        winner = ["bob", "carol"][ok[0]]
        (refused,) = [body for code, body in results if code != 200]
        assert [code for code, _ in results if code != 200] == [409]
        assert refused == {
            "error": f"{winner} already holds alice's shift on policy {ops.policy}",
            "message": f"{winner} already holds alice's shift on policy {ops.policy}",
            "field": "fromUser",
        }
