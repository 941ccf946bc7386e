"""limit/offset on the list endpoints: first page, last page, past the end, bad values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.api.incident_builders import open_alert_incident
from tests.api.scheduling_builders import (
    OpsTeam,
    make_ops_team,
    make_policy,
    make_rotation_group,
    make_webhook,
)
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
    "/api-public/v1/oncall/current",
    "/api-public/v1/maintenancemode",
    "/api-public/v1/user/u/policies",
    "/api-public/v2/profile/u/policies",
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
    # ...and each of them is walked page by page below.
    assert len(paged) == len(CASES) + len(SEEDED)


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


# Every other paged list, seeded with at least four items through the API where it has a
# write (builders otherwise); each seed returns the list's path.
Seed = Callable[[TestClient, Container, Org], str]
FOUR = range(4)


def _ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _seed_admins(api: TestClient, container: Container, org: Org) -> str:
    with container.sessions.transaction() as session:
        team = make_team(session, org.org_id, "Admins")
        for i in FOUR:
            user = make_user(session, org.org_id, f"adm{i}", email=f"a{i}@x.example")
            add_member(session, team, user, is_admin=True)
        return f"/api-public/v1/team/{team.slug}/admins"


def _seed_policies(api: TestClient, container: Container, org: Org) -> str:
    ops = _ops(api, container, org)
    for i in FOUR:
        make_policy(api, ops.team, f"Policy {i}", [ops.rotation])
    return "/api-public/v1/policies"


def _seed_team_policies(api: TestClient, container: Container, org: Org) -> str:
    ops = _ops(api, container, org)
    for i in FOUR:
        make_policy(api, ops.team, f"Policy {i}", [ops.rotation])
    return f"/api-public/v1/team/{ops.team}/policies"


def _seed_routing_keys(api: TestClient, container: Container, org: Org) -> str:
    ops = _ops(api, container, org)
    for i in FOUR:
        body = {"routingKey": f"key{i}", "targets": [ops.policy]}
        assert api.post("/api-public/v1/org/routing-keys", json=body).status_code == 200
    return "/api-public/v1/org/routing-keys"


def _seed_alert_rules(api: TestClient, container: Container, org: Org) -> str:
    for i in FOUR:
        body = {"alertField": "host", "alertValueMatch": f"web{i}"}
        assert api.post("/api-public/v1/alertRules", json=body).status_code == 200
    return "/api-public/v1/alertRules"


def _overrides(api: TestClient, container: Container, org: Org) -> tuple[OpsTeam, str]:
    ops = _ops(api, container, org)
    for i in FOUR:
        make_policy(api, ops.team, f"Policy {i}", [ops.rotation])
    public_id = ""
    for day in FOUR:
        body = {
            "username": "alice",
            "timezone": "UTC",
            "start": f"2026-01-0{6 + day}T09:00:00",
            "end": f"2026-01-0{6 + day}T17:00:00",
        }
        r = api.post("/api-public/v1/overrides", json=body)
        assert r.status_code == 200, r.text
        public_id = public_id or r.json()["schedule"]["publicId"]
    return ops, public_id


def _seed_overrides(api: TestClient, container: Container, org: Org) -> str:
    _overrides(api, container, org)
    return "/api-public/v1/overrides"


def _seed_assignments(api: TestClient, container: Container, org: Org) -> str:
    _, public_id = _overrides(api, container, org)
    return f"/api-public/v1/overrides/{public_id}/assignments"


def _seed_incidents(api: TestClient, container: Container, org: Org) -> str:
    for i in FOUR:
        open_alert_incident(container, org.org_id, f"disk/web-{i}")
    return "/api-public/v1/incidents"


def _seed_notes(api: TestClient, container: Container, org: Org) -> str:
    number = open_alert_incident(container, org.org_id, "disk/web-1").number
    path = f"/api-public/v1/incidents/{number}/notes"
    for i in FOUR:
        body = {"name": f"note{i}", "json_value": {"i": i}}
        assert api.post(path, json=body).status_code == 200
    return path


def _seed_contacts(kind: str, body: Callable[[int], dict[str, str]]) -> Seed:
    def seed(api: TestClient, container: Container, org: Org) -> str:
        for i in FOUR:
            r = api.post(f"/api-public/v1/user/admin/contact-methods/{kind}", json=body(i))
            assert r.status_code == 200, r.text
        return f"/api-public/v1/user/admin/contact-methods/{kind}"

    return seed


def _seed_devices(api: TestClient, container: Container, org: Org) -> str:
    for i in FOUR:
        body = {"label": f"Phone {i}", "topic": f"admin-{i}"}
        assert api.post("/api-ext/v1/user/admin/devices", json=body).status_code == 200
    return "/api-public/v1/user/admin/contact-methods/devices"


def _rotations(version: str) -> Seed:
    def seed(api: TestClient, container: Container, org: Org) -> str:
        ops = _ops(api, container, org)
        for i in FOUR:
            make_rotation_group(container, org.org_id, ops.team, f"Group {i}")
        plural = "teams" if version == "v1" else "team"
        return f"/api-public/{version}/{plural}/{ops.team}/rotations"

    return seed


def _seed_webhooks(api: TestClient, container: Container, org: Org) -> str:
    for i in FOUR:
        make_webhook(container, org.org_id, f"Hook {i}")
    return "/api-public/v1/webhooks"


def _seed_oncall_now(api: TestClient, container: Container, org: Org) -> str:
    ops = _ops(api, container, org)
    for i in FOUR:
        team = api.post("/api-public/v1/team", json={"name": f"Night {i}"}).json()["slug"]
        make_policy(api, team, f"Night {i}", [])
    assert ops.team
    return "/api-public/v1/oncall/current"


def _seed_maintenance(api: TestClient, container: Container, org: Org) -> str:
    for i in FOUR:
        api.post("/api-public/v1/org/routing-keys", json={"routingKey": f"key{i}"})
        body = {"type": "RoutingKeys", "names": [f"key{i}"], "purpose": f"p{i}"}
        r = api.post("/api-public/v1/maintenancemode/start", json=body)
        assert r.status_code == 200, r.text
    return "/api-public/v1/maintenancemode"


def _seed_user_policies(api: TestClient, container: Container, org: Org) -> str:
    emails = api.get("/api-public/v1/user/admin/contact-methods/emails").json()
    email = emails["contactMethods"][0]["id"]
    for _ in FOUR:
        body = {"type": "email", "contact": {"id": email, "type": "email"}}
        r = api.post("/api-public/v1/profile/admin/policies/0", json=body)
        assert r.status_code == 200, r.text
    return "/api-public/v1/user/admin/policies"


def _seed_profile_policies(api: TestClient, container: Container, org: Org) -> str:
    return "/api-public/v2/profile/admin/policies"  # one policy, the primary


SEEDED: list[tuple[str, Seed]] = [
    ("team admins", _seed_admins),
    ("policies", _seed_policies),
    ("team policies", _seed_team_policies),
    ("routing keys", _seed_routing_keys),
    ("alert rules", _seed_alert_rules),
    ("overrides", _seed_overrides),
    ("override assignments", _seed_assignments),
    ("incidents", _seed_incidents),
    ("incident notes", _seed_notes),
    ("emails", _seed_contacts("emails", lambda i: {"label": f"E{i}", "email": f"e{i}@x.example"})),
    ("phones", _seed_contacts("phones", lambda i: {"label": f"P{i}", "phone": f"555010000{i}"})),
    ("devices", _seed_devices),
    ("v1 rotations", _rotations("v1")),
    ("v2 rotations", _rotations("v2")),
    ("webhooks", _seed_webhooks),
    ("on-call now", _seed_oncall_now),
    ("maintenance modes", _seed_maintenance),
    ("user paging policies", _seed_user_policies),
    ("v2 profile policies", _seed_profile_policies),
]


def _list_of(body: Any) -> list[Any]:
    """The one list in a list answer: the body itself or its only list-valued field."""
    if isinstance(body, list):
        return body
    lists = [v for v in body.values() if isinstance(v, list)]
    assert len(lists) == 1, body
    return list(lists[0])


@pytest.mark.parametrize(("name", "seed"), SEEDED, ids=[s[0] for s in SEEDED])
def test_every_list_pages_first_last_and_past_the_end(
    api: TestClient, container: Container, org: Org, name: str, seed: Seed
) -> None:
    path = seed(api, container, org)
    unpaged = api.get(path)
    assert unpaged.status_code == 200, unpaged.text
    whole = _list_of(unpaged.json())
    assert len(whole) >= (1 if seed is _seed_profile_policies else 4), (name, whole)

    def page(query: str) -> Any:
        r = api.get(f"{path}?{query}")
        assert r.status_code == 200, (query, r.text)
        body = r.json()
        # Same shape as unpaged: the same type, the same keys around the list.
        assert type(body) is type(unpaged.json())
        if isinstance(body, dict):
            assert body.keys() == unpaged.json().keys()
        return _list_of(body)

    assert page("limit=2") == whole[:2]
    assert page("limit=2&offset=2") == whole[2:4]
    assert page(f"limit=2&offset={len(whole) - 1}") == whole[-1:]
    assert page(f"limit={len(whole)}") == whole
    assert page(f"offset={len(whole)}") == []
    assert page("limit=10&offset=1000") == []
    assert page("offset=1") == whole[1:]
