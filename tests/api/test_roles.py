"""Roles in the public API.

Full-access keys act for the whole organization, as the vendor's do, so they pass every role
check; what the API checks is the users a request names: the acting `userName` of incident
commands and whoever is to be on call (a stakeholder never is). Roles are read and set
through the /api-ext/v1/user/{user}/role extension.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.incidents.models import Incident, Phase
from openoncall.maintenance.models import MaintenanceMode
from openoncall.users.models import Role, User
from tests.api.incident_builders import open_alert_incident
from tests.api.scheduling_builders import make_ops_team, make_user
from tests.conftest import Org

ROLE = "/api-ext/v1/user/{}/role"


def _make_stakeholder(api: TestClient, container: Container, org: Org, username: str) -> None:
    make_user(container, org.org_id, username)
    r = api.put(ROLE.format(username), json={"role": "stakeholder"})
    assert r.status_code == 200, r.text


def _refusal(r: Any, who: str, doing: str, field: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["message"] == f"{who}'s role (stakeholder) may not {doing}"
    assert body["field"] == field


def test_roles_are_read_and_set_through_the_extension(
    api: TestClient, container: Container, org: Org
) -> None:
    make_user(container, org.org_id, "alice")
    assert api.get(ROLE.format("alice")).json() == {"username": "alice", "role": "user"}
    assert api.get(ROLE.format("admin")).json() == {"username": "admin", "role": "global_admin"}
    for role in ("alert_admin", "stakeholder", "global_admin", "user"):
        r = api.put(ROLE.format("alice"), json={"role": role})
        assert r.status_code == 200, r.text
        assert r.json() == {"username": "alice", "role": role}
    bad = api.put(ROLE.format("alice"), json={"role": "admin"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "role"
    assert api.put(ROLE.format("nobody"), json={"role": "user"}).status_code == 404
    last = api.put(ROLE.format("admin"), json={"role": "alert_admin"})
    assert last.status_code == 422
    assert last.json()["message"] == "admin is the last global admin of the organization"
    with container.sessions.transaction() as session:
        assert session.scalar(select(User.role).where(User.username == "admin")) == "global_admin"


def test_a_stakeholder_cannot_acknowledge_or_resolve(
    api: TestClient, container: Container, org: Org
) -> None:
    make_user(container, org.org_id, "alice")
    _make_stakeholder(api, container, org, "sam")
    opened = open_alert_incident(container, org.org_id, "disk", users=["alice"])
    doing = "acknowledge, resolve, reroute or open incidents"
    for action in ("ack", "resolve"):
        r = api.patch(
            f"/api-public/v1/incidents/{action}",
            json={"userName": "sam", "incidentNames": [str(opened.number)], "message": "x"},
        )
        _refusal(r, "sam", doing, "userName")
        by_user = api.patch(f"/api-public/v1/incidents/byUser/{action}", json={"userName": "sam"})
        _refusal(by_user, "sam", doing, "userName")
    with container.sessions.transaction() as session:
        assert session.scalar(select(Incident.phase)) == Phase.UNACKED
    ok = api.patch(
        "/api-public/v1/incidents/ack",
        json={"userName": "alice", "incidentNames": [str(opened.number)], "message": "on it"},
    )
    assert ok.status_code == 200
    assert ok.json()["results"][0]["cmdAccepted"] is True


def test_a_stakeholder_is_never_on_call(api: TestClient, container: Container, org: Org) -> None:
    ops = make_ops_team(api, container, org.org_id)
    _make_stakeholder(api, container, org, "sam")
    take = api.patch(
        f"/api-public/v1/policies/{ops.policy}/oncall/user",
        json={"fromUser": "alice", "toUser": "sam"},
    )
    _refusal(take, "sam", "take on-call", "toUser")
    override = api.post(
        "/api-public/v1/overrides",
        json={
            "username": "alice",
            "timezone": "UTC",
            "start": "2026-01-06T09:00:00Z",
            "end": "2026-01-06T17:00:00Z",
        },
    )
    assert override.status_code == 200, override.text
    public_id = override.json()["schedule"]["publicId"]
    stand_in = api.put(
        f"/api-public/v1/overrides/{public_id}/assignments/{ops.policy}",
        json={"policy": ops.policy, "username": "sam"},
    )
    _refusal(stand_in, "sam", "take on-call", "username")


def test_full_access_keys_keep_admin_power(api: TestClient, container: Container) -> None:
    """Existing clients and Terraform use org-wide keys: global maintenance stays theirs."""
    r = api.post(
        "/api-public/v1/maintenancemode/start",
        json={"type": "RoutingKeys", "names": [], "purpose": "deploy"},
    )
    assert r.status_code == 200, r.text
    with container.sessions.transaction() as session:
        assert session.scalars(select(MaintenanceMode.is_global)).all() == [True]


def test_the_stored_role_values_are_the_roles() -> None:
    assert [r.value for r in Role] == ["global_admin", "alert_admin", "user", "stakeholder"]
