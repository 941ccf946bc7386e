"""Configuration pages over HTTP: policies, routing keys, alert rules with dry run,
maintenance mode and outgoing webhooks."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.maintenance.models import MaintenanceMode
from openoncall.policies.models import EscalationPolicy
from openoncall.routing.models import RoutingKey
from openoncall.users.models import Role
from openoncall.webhooks.models import Webhook
from tests.api.scheduling_builders import make_rotation_group, make_team
from tests.conftest import Org
from tests.web.conftest import add_user, sign_in


def _policy(client: TestClient, csrf: str, team: str) -> str:
    created = client.post(
        "/policies",
        data={"name": "Ops primary", "team": team, "first": "user:admin", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    return created.headers["location"]


def test_policy_and_routing_key(client: TestClient, org: Org, container: Container) -> None:
    team = make_team(container, org.org_id, "Ops", ["admin"])
    csrf = sign_in(client, "admin")
    assert "No escalation policies" in client.get("/policies").text
    _policy(client, csrf, team)
    page = client.get("/policies")
    assert "Ops primary" in page.text
    assert "immediately" in page.text
    with container.sessions.transaction() as session:
        slug = session.scalar(select(EscalationPolicy.slug))
    assert slug is not None
    bad = client.post(
        "/policies", data={"name": "X", "team": team, "first": "", "csrf_token": csrf}
    )
    assert bad.status_code == 400
    made = client.post(
        "/routing",
        data={"key": "database", "policy": [slug], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert made.status_code == 303
    routing = client.get("/routing")
    assert 'id="rk-database"' in routing.text
    with container.sessions.transaction() as session:
        keys = sorted(session.scalars(select(RoutingKey.key)))
    assert "database" in keys
    spaced = client.post(
        "/routing", data={"key": "has space", "policy": [slug], "csrf_token": csrf}
    )
    assert spaced.status_code == 400


def test_non_admin_cannot_configure(client: TestClient, org: Org, container: Container) -> None:
    team = make_team(container, org.org_id, "Ops", ["admin"])
    add_user(container, org, "bob")
    csrf = sign_in(client, "bob")
    refused = client.post(
        "/policies", data={"name": "P", "team": team, "first": "user:bob", "csrf_token": csrf}
    )
    assert refused.status_code == 403
    hook = client.post(
        "/webhooks", data={"label": "x", "url": "https://x.example/", "csrf_token": csrf}
    )
    assert hook.status_code == 403
    with container.sessions.transaction() as session:
        assert session.scalar(select(EscalationPolicy)) is None
        assert session.scalar(select(Webhook)) is None


def test_rules_and_dry_run(client: TestClient, org: Org, container: Container) -> None:
    csrf = sign_in(client, "admin")
    created = client.post(
        "/rules",
        data={
            "alert_field": "entity_id",
            "alert_value_match": "disk/*",
            "route_key": "storage",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    assert "route to <code>storage</code>" in client.get("/rules").text
    result = client.post(
        "/rules/dry-run",
        data={
            "alert": json.dumps({"message_type": "CRITICAL", "entity_id": "disk/db01"}),
            "csrf_token": csrf,
        },
    )
    assert result.status_code == 200, result.text
    assert "Rules matched: 1" in result.text
    assert "<strong>open</strong>" in result.text
    broken = client.post("/rules/dry-run", data={"alert": "{nope", "csrf_token": csrf})
    assert broken.status_code == 400
    assert "not valid JSON" in broken.text


def test_maintenance_start_and_end(client: TestClient, org: Org, container: Container) -> None:
    add_user(container, org, "bob", role=Role.ALERT_ADMIN)
    csrf = sign_in(client, "bob")  # alert admins may silence all paging (tests/web/test_roles.py)
    assert "Maintenance mode is off" in client.get("/maintenance").text
    started = client.post(
        "/maintenance",
        data={"purpose": "db upgrade", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert started.status_code == 303
    page = client.get("/maintenance")
    assert "Global maintenance" in page.text
    with container.sessions.transaction() as session:
        row = session.scalar(select(MaintenanceMode))
        assert row is not None
        assert row.is_global
        assert row.started_by == "bob"
        instance = row.instance_id
    ended = client.post(
        f"/maintenance/{instance}/end", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert ended.status_code == 303
    assert "Maintenance mode is off" in client.get("/maintenance").text
    again = client.post(f"/maintenance/{instance}/end", data={"csrf_token": csrf})
    assert again.status_code == 404


def test_webhooks(client: TestClient, org: Org, container: Container) -> None:
    csrf = sign_in(client, "admin")
    created = client.post(
        "/webhooks",
        data={"label": "Chat", "url": "https://chat.example/hook", "csrf_token": csrf},
    )
    assert created.status_code == 201
    with container.sessions.transaction() as session:
        hook = session.scalar(select(Webhook))
        assert hook is not None
        secret, slug = hook.secret, hook.slug
    assert f'<code id="webhook-secret">{secret}</code>' in created.text
    bad = client.post("/webhooks", data={"label": "x", "url": "ftp://x", "csrf_token": csrf})
    assert bad.status_code == 400
    gone = client.post(
        f"/webhooks/{slug}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert "No outgoing webhooks" in client.get("/webhooks").text


def test_two_step_policy_from_a_rotation(
    client: TestClient, org: Org, container: Container
) -> None:
    team = make_team(container, org.org_id, "Ops", ["admin"])
    group = make_rotation_group(container, org.org_id, team, "Primary")
    csrf = sign_in(client, "admin")
    form = client.get("/policies")
    assert f'value="rtg:{group}">Primary (Ops)' in form.text
    created = client.post(
        "/policies",
        data={
            "name": "Escalating",
            "team": team,
            "first": f"rtg:{group}",
            "then": "user:admin",
            "timeout": "10",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    page = client.get("/policies", params={"team": team})
    assert "immediately:\n        on-call of Primary" in page.text
    assert "after 10 min:\n        admin" in page.text
