"""The cached user lists: current across processes, unchanged by rolled-back writes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from openoncall.app import create_app
from openoncall.clock import FrozenClock
from openoncall.container import Container, build_container
from openoncall.settings import Settings
from openoncall.users.models import User
from openoncall.users.service import update_user
from tests.builders import make_user
from tests.conftest import Org

PATHS = ["/api-public/v1/user", "/api-public/v2/user"]


def _names(body: dict[str, Any]) -> list[str]:
    users = body["users"]
    flat = users[0] if users and isinstance(users[0], list) else users
    return [f"{u['username']}:{u['firstName']}" for u in flat]


def _rename(container: Container, org: Org, first: str, *, then_fail: bool = False) -> None:
    with container.sessions.transaction() as session:
        update_user(
            session,
            org.org_id,
            "jdoe",
            new_username="jdoe",
            first_name=first,
            last_name="Doe",
            email="jdoe@example.com",
        )
        if then_fail:
            raise RuntimeError("abort")


@pytest.mark.parametrize("path", PATHS)
def test_a_write_through_another_process_is_seen_at_once(
    api: TestClient,
    container: Container,
    org: Org,
    path: str,
    *,
    settings: Settings,
    engine: Engine,
    clock: FrozenClock,
) -> None:
    """Two apps over one database, each with its own cache, as two server processes."""
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe", email="jdoe@example.com")
    other_container = build_container(settings, clock=clock, engine=engine)
    with TestClient(create_app(other_container)) as other:
        other.headers.update(org.headers)
        assert "jdoe:Jane" in _names(api.get(path).json())
        assert "jdoe:Jane" in _names(other.get(path).json())  # both caches hold the list
        _rename(other_container, org, "Janet")  # a write by the other process
        assert "jdoe:Janet" in _names(api.get(path).json())
        r = other.post(
            "/api-public/v1/user",
            json={"username": "newbie", "firstName": "N", "lastName": "B", "email": "n@x.example"},
        )
        assert r.status_code == 200, r.text
        assert "newbie:N" in _names(api.get(path).json())
        gone = api.request("DELETE", "/api-public/v1/user/newbie", json={"replacement": "jdoe"})
        assert gone.status_code == 200, gone.text
        assert "newbie:N" not in _names(other.get(path).json())


def test_a_rolled_back_write_leaves_the_list_as_it_was(
    api: TestClient, container: Container, org: Org
) -> None:
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe", email="jdoe@example.com")
    before = api.get(PATHS[0]).json()
    with pytest.raises(RuntimeError):
        _rename(container, org, "Never", then_fail=True)
    assert api.get(PATHS[0]).json() == before


def test_a_bulk_update_of_users_is_seen(api: TestClient, container: Container, org: Org) -> None:
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe", email="jdoe@example.com")
    assert "jdoe:Jane" in _names(api.get(PATHS[1]).json())
    with container.sessions.transaction() as session:
        session.execute(update(User).where(User.username == "jdoe").values(first_name="Bulk"))
    assert "jdoe:Bulk" in _names(api.get(PATHS[1]).json())
