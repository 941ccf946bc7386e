"""limit/offset on the list endpoints: first page, last page, past the end, bad values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.builders import add_member, make_team, make_user
from tests.conftest import Org

Items = Callable[[Any], list[Any]]

# Every list endpoint that pages; the path parameters need not exist for a bad page value,
# which is refused before the endpoint runs.
LIST_PATHS = [
    "/api-public/v1/user",
    "/api-public/v2/user",
    "/api-public/v1/user/u/teams",
    "/api-public/v1/team",
    "/api-public/v1/team/t/members",
    "/api-public/v1/team/t/admins",
    "/api-public/v1/team/t/policies",
    "/api-public/v1/policies",
    "/api-public/v1/org/routing-keys",
    "/api-public/v1/alertRules",
    "/api-public/v1/overrides",
    "/api-public/v1/overrides/o/assignments",
    "/api-public/v1/incidents",
    "/api-public/v1/incidents/1/notes",
    "/api-public/v1/user/u/contact-methods/emails",
    "/api-public/v1/user/u/contact-methods/phones",
    "/api-public/v1/user/u/contact-methods/devices",
    "/api-public/v1/teams/t/rotations",
    "/api-public/v2/team/t/rotations",
    "/api-public/v1/webhooks",
]


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=10001", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
    ],
)
def test_a_bad_page_value_is_400_naming_the_parameter(
    api: TestClient, path: str, query: str, field: str
) -> None:
    r = api.get(f"{path}?{query}")
    assert r.status_code == 400, (path, r.text)
    assert r.json()["field"] == field


def test_every_paged_list_route_is_listed_here(api: TestClient) -> None:
    """A list endpoint that gains `limit` must gain its tests too."""
    spec = api.get("/api-docs/openapi.json").json()
    paged = {
        path
        for path, ops in spec["paths"].items()
        if any(p["name"] == "limit" for p in ops.get("get", {}).get("parameters", []))
        and not path.startswith("/api-reporting")
    }
    templates = {p.split("?")[0] for p in LIST_PATHS}
    assert len(paged) == len(templates)


def _users(body: Any) -> list[Any]:
    users: list[Any] = body["users"]
    return users[0] if users and isinstance(users[0], list) else users


CASES: list[tuple[str, Items]] = [
    ("/api-public/v1/user", _users),
    ("/api-public/v2/user", _users),
    ("/api-public/v1/team", list),
    ("/api-public/v1/team/{team}/members", lambda body: list(body["members"])),
    ("/api-public/v1/user/jdoe0/teams", lambda body: list(body["teams"])),
]


def _seed(container: Container, org: Org) -> str:
    """Seven users (admin + jdoe0..5), seven teams; jdoe0 in all, the first team has all."""
    with container.sessions.transaction() as session:
        users = [
            make_user(session, org.org_id, f"jdoe{i}", email=f"j{i}@x.example") for i in range(6)
        ]
        teams = [make_team(session, org.org_id, f"Team {i}") for i in range(7)]
        for team in teams:
            add_member(session, team, users[0])
        for user in users[1:]:
            add_member(session, teams[0], user)
        return teams[0].slug


@pytest.mark.parametrize(("path", "items"), CASES, ids=[c[0] for c in CASES])
def test_pages_walk_the_whole_list_in_order(
    api: TestClient, container: Container, org: Org, path: str, items: Items
) -> None:
    path = path.format(team=_seed(container, org))
    whole = items(api.get(path).json())
    assert len(whole) >= 6
    first = api.get(f"{path}?limit=3")
    assert first.status_code == 200
    assert items(first.json()) == whole[:3]
    assert items(api.get(f"{path}?limit=3&offset=3").json()) == whole[3:6]
    last = api.get(f"{path}?limit=3&offset={len(whole) - 1}")
    assert items(last.json()) == whole[-1:]
    assert items(api.get(f"{path}?offset={len(whole)}").json()) == []
    assert items(api.get(f"{path}?limit=100&offset=1000").json()) == []
    assert items(api.get(f"{path}?offset=2").json()) == whole[2:]
    # A page keeps the unpaged shape: the same keys around the list.
    body, page = api.get(path).json(), first.json()
    assert type(page) is type(body)
    if isinstance(body, dict):
        assert page.keys() == body.keys()
