"""GET /api-public/v1/oncall/current: shape, and a cache that edits and handoffs invalidate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update

from openoncall.app import create_app
from openoncall.clock import FrozenClock
from openoncall.container import Container, build_container
from openoncall.rotations.models import RotationShift
from openoncall.schedules.models import OnCallVersion
from openoncall.settings import Settings
from tests.api.scheduling_builders import OpsTeam, make_ops_team, make_team
from tests.conftest import T0, Org, make_org

URL = "/api-public/v1/oncall/current"


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _users(body: dict[str, Any]) -> list[str]:
    return [
        u["onCalluser"]["username"]
        for t in body["teamsOnCall"]
        for p in t["oncallNow"]
        for u in p["users"]
    ]


def test_shape_lists_every_team_with_its_policies(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    empty = make_team(container, org.org_id, "Accounting")
    r = api.get(URL)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {
        "teamsOnCall": [
            {"team": {"name": "Accounting", "slug": empty}, "oncallNow": []},
            {
                "team": {"name": "Ops", "slug": ops.team},
                "oncallNow": [
                    {
                        "escalationPolicy": {"name": "Ops policy", "slug": ops.policy},
                        "users": [{"onCalluser": {"username": "alice"}}],
                    }
                ],
            },
        ]
    }
    other = make_org(container, name="Globex")
    assert api.get(URL, headers=other.headers).json() == {"teamsOnCall": []}


def test_cached_answer_is_reused_until_the_version_changes(
    api: TestClient, ops: OpsTeam, container: Container, org: Org, engine: Engine
) -> None:
    assert _users(api.get(URL).json()) == ["alice"]
    # A raw SQL edit bypasses the ORM hook: the cached answer is still served…
    with engine.begin() as conn:
        conn.execute(text("UPDATE rotation_shift SET member_offset = 1"))
    assert _users(api.get(URL).json()) == ["alice"]
    # …until any ORM write of a watched table bumps the organization's version.
    with container.sessions.transaction() as session:
        shift = session.scalars(select(RotationShift)).one()
        shift.member_offset = 1  # same value: no change, no bump
    assert _users(api.get(URL).json()) == ["alice"]
    with container.sessions.transaction() as session:
        shift = session.scalars(select(RotationShift)).one()
        shift.member_offset = 2
    assert _users(api.get(URL).json()) == ["carol"]


def test_every_schedule_write_bumps_the_version(
    api: TestClient, ops: OpsTeam, container: Container, org: Org
) -> None:
    def version() -> int:
        with container.sessions.transaction(write=False) as session:
            return (
                session.scalar(
                    select(OnCallVersion.version).where(OnCallVersion.org_id == org.org_id)
                )
                or 0
            )

    before = version()
    r = api.patch(
        f"/api-public/v1/policies/{ops.policy}/oncall/user",
        json={"fromUser": "alice", "toUser": "dave"},
    )
    assert r.status_code == 200
    after_take = version()
    assert after_take > before
    api.get(URL)
    assert version() == after_take  # reads never bump
    with container.sessions.transaction() as session:
        session.execute(update(RotationShift).values(member_offset=1))  # a bulk ORM update
    assert version() > after_take
    # The rotation now points at bob; the take replaced alice only.
    assert _users(api.get(URL).json()) == ["bob"]


def test_another_process_sees_writes_made_through_this_one(
    api: TestClient,
    ops: OpsTeam,
    *,
    settings: Settings,
    engine: Engine,
    clock: FrozenClock,
    org: Org,
) -> None:
    """Two apps over one database, each with its own cache, as two server processes."""
    other_container = build_container(settings, clock=clock, engine=engine)
    with TestClient(create_app(other_container)) as other:
        other.headers.update(org.headers)
        assert _users(other.get(URL).json()) == ["alice"]
        assert _users(api.get(URL).json()) == ["alice"]
        r = api.patch(
            f"/api-public/v1/policies/{ops.policy}/oncall/user",
            json={"fromUser": "alice", "toUser": "bob"},
        )
        assert r.status_code == 200
        assert _users(other.get(URL).json()) == ["bob"]


def test_answer_changes_at_the_handoff_without_any_write(
    api: TestClient, ops: OpsTeam, clock: FrozenClock
) -> None:
    assert _users(api.get(URL).json()) == ["alice"]
    clock.set(datetime(2026, 1, 12, 8, 59, 59, tzinfo=UTC))
    assert _users(api.get(URL).json()) == ["alice"]
    clock.set(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    assert _users(api.get(URL).json()) == ["bob"]
    clock.set(T0)  # a clock set backwards (tests, demos) does not get a future answer
    assert _users(api.get(URL).json()) == ["alice"]


def test_org_without_teams_has_an_empty_list(api: TestClient) -> None:
    r = api.get(URL)
    assert r.status_code == 200
    assert r.json() == {"teamsOnCall": []}
