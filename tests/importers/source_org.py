"""A rich source organization, made through the vendor API as its admins would have made it:
users in several time zones with phones, extra emails and their own paging policies; teams
with admins; weekly, daily partial-day and weekend multi-day rotations in London, New York and
Sydney (a DST change in each falls inside the next 14 days of 2026-03-02); policies with
rotation_group_next, user, email, webhook and policy_routing steps; routing keys; overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.teams.service import set_team_admin
from openoncall.webhooks.service import create_webhook
from tests.conftest import Org, make_org
from tests.scenarios.story import days, every_day, next_in, policy_routing, rotation, step, user

START = "2026-03-02T12:00:00+00:00"  # a Monday; US DST starts 03-08, EU 03-29, AU ends 04-05
PEOPLE = ["ana", "ben", "chloe", "dev", "emil", "fay"]


def _ok(response: Any) -> Any:
    assert response.status_code == 200, f"{response.request.url}: {response.text}"
    return response.json()


def build(api: TestClient, hook: str) -> dict[str, str]:
    """Makes the organization (with the webhook `hook` made beforehand); returns the slugs
    of what it made, by name, and each team's admin to be (made in the web UI)."""
    made: dict[str, str] = {}
    for i, name in enumerate(PEOPLE):
        _ok(
            api.post(
                "/api-public/v1/user",
                json={
                    "firstName": name.capitalize(),
                    "lastName": "Source",
                    "username": name,
                    "email": f"{name}@source.example",
                },
            )
        )
        phone = _ok(
            api.post(
                f"/api-public/v1/user/{name}/contact-methods/phones",
                json={"label": "Mobile", "phone": f"+1555000{i:04d}"},
            )
        )
        if i % 2 == 0:
            _ok(
                api.post(
                    f"/api-public/v1/user/{name}/contact-methods/emails",
                    json={"label": "Home", "email": f"{name}@home.example"},
                )
            )
        if i < 3:  # their own paging policy: a call first, then a text after 10 minutes
            _ok(
                api.put(
                    f"/api-public/v1/profile/{name}/policies/0",
                    json={
                        "timeout": 10,
                        "rules": [
                            {"type": "phone", "contact": {"id": phone["id"], "type": "phone"}}
                        ],
                    },
                )
            )
    for team, members, admin in (
        ("Database", ["ana", "ben", "chloe"], "ana"),
        ("Web", ["dev", "emil", "fay", "ana"], "dev"),
    ):
        slug = _ok(
            api.post("/api-public/v1/team", json={"name": team, "description": f"{team} on call"})
        )["slug"]
        made[team] = slug
        for member in members:
            _ok(api.post(f"/api-public/v1/team/{slug}/members", json={"username": member}))
        made[f"{team}-admin"] = admin
    made["weekly"] = _rotation(
        api,
        made["Database"],
        "Weekly",
        ["ana", "ben", "chloe"],
        timezone="Europe/London",
        start="2026-02-23T09:00",
        duration=7,
    )
    made["business"] = _rotation(
        api,
        made["Web"],
        "Business hours",
        ["dev", "emil"],
        timezone="America/New_York",
        start="2026-03-02T09:00",
        duration=1,
        shifttype="pho",
        mask=days(["m", "t", "w", "th", "f"], (9, 0), (17, 0)),
    )
    made["nights"] = _rotation(
        api,
        made["Web"],
        "Nights",
        ["fay", "ana"],
        timezone="Australia/Sydney",
        start="2026-03-02T18:00",
        duration=1,
        shifttype="pho",
        mask=every_day((18, 0), (23, 0)),
    )
    made["weekend"] = _rotation(
        api,
        made["Web"],
        "Weekend",
        ["emil", "fay", "dev"],
        timezone="America/New_York",
        start="2026-03-06T17:00",
        duration=7,
        shifttype="cstm",
        mask=days(["f"], (17, 0), (0, 0)),
        mask2=days(["sa", "su"], (0, 0), (0, 0)),
        mask3=days(["m"], (0, 0), (9, 0)),
    )
    made["db-policy"] = _policy(
        api,
        made["Database"],
        "Database",
        [step(0, rotation(made["weekly"])), step(15, next_in(made["weekly"]), user("dev"))],
    )
    made["web-policy"] = _policy(
        api,
        made["Web"],
        "Web",
        [
            step(
                0, rotation(made["business"]), rotation(made["nights"]), rotation(made["weekend"])
            ),
            step(10, {"executionType": "email", "email": {"address": "web-oncall@source.example"}}),
            step(20, policy_routing(made["db-policy"])),
            step(30, {"executionType": "webhook", "webhook": {"slug": hook}}),
        ],
    )
    for key, targets in (
        ("db", [made["db-policy"]]),
        ("web", [made["web-policy"]]),
        ("all", [made["db-policy"], made["web-policy"]]),
    ):
        _ok(
            api.post(
                "/api-public/v1/org/routing-keys", json={"routingKey": key, "targets": targets}
            )
        )
    override = _ok(
        api.post(
            "/api-public/v1/overrides",
            json={
                "username": "ben",
                "timezone": "Europe/London",
                "start": "2026-03-04T09:00:00",
                "end": "2026-03-05T09:00:00",
            },
        )
    )
    public_id = override["schedule"]["publicId"]
    for a in override["schedule"]["assignments"]:
        _ok(
            api.put(
                f"/api-public/v1/overrides/{public_id}/assignments/{a['policy']}",
                json={"policy": a["policy"], "username": "chloe"},
            )
        )
    return made


def _rotation(api: TestClient, team: str, label: str, members: list[str], **shift: Any) -> str:
    body = {"label": label, "shifts": [{"label": label, "usernames": members, **shift}]}
    slug: str = _ok(api.post(f"/api-public/v1/teams/{team}/rotations", json=body))["slug"]
    return slug


def _policy(api: TestClient, team: str, name: str, steps: list[dict[str, Any]]) -> str:
    body = {"name": name, "teamSlug": team, "steps": steps}
    slug: str = _ok(api.post("/api-public/v1/policies", json=body))["slug"]
    return slug


def source_and_target(
    client: TestClient, container: Container, clock: FrozenClock
) -> tuple[Org, Org]:
    """Org Source, built rich at START (the client left authenticated as it), and an empty
    org Target. The webhook and the team admins are made as the web UI makes them."""
    clock.set(datetime.fromisoformat(START))
    source = make_org(container, "Source", admin="root")
    target = make_org(container, "Target", admin="boss")
    with container.sessions.transaction() as session:
        hook = create_webhook(
            session,
            source.org_id,
            label="Chat bridge",
            url="https://hooks.source.example/in",
            now=clock.now(),
        ).webhook.slug
    client.headers.update(source.headers)
    made = build(client, hook)
    with container.sessions.transaction() as session:
        for team in ("Database", "Web"):
            set_team_admin(session, source.org_id, made[team], made[f"{team}-admin"], is_admin=True)
    return source, target
