"""Every non-GET route with a read-only key: 403 and not one row changed, in any table.

The routes are discovered from the app, so the test covers each route other parts add.
A route is covered when its dependencies include the API-key check (`get_caller`): those are
the routes a read-only key can reach at all (the alert endpoint authenticates with the REST
key in its URL, the web UI with a session).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.auth.deps import get_caller
from openoncall.auth.usage import UsageTally
from openoncall.container import Container
from openoncall.db.base import Base
from openoncall.orgs.service import create_api_key
from tests.conftest import Org

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def _needs_api_key(dependant: Dependant) -> bool:
    return any(d.call is get_caller or _needs_api_key(d) for d in dependant.dependencies)


def _api_routes(app: FastAPI) -> Iterator[tuple[str, set[str], APIRoute]]:
    """(path template, methods, route) of every route, however routers were included."""
    try:  # FastAPI >= 0.16x keeps included routers nested; this walks them.
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens app.routes itself
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route.path_format, set(route.methods or ()), route
        return
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield context.path_format or route.path_format, set(context.methods or set()), route


def _write_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    found = [
        (method, path, route)
        for path, methods, route in _api_routes(app)
        for method in sorted(methods - {"GET", "HEAD", "OPTIONS"})
        if _needs_api_key(route.dependant)
    ]
    return sorted(found, key=lambda t: (t[1], t[0]))


def _snapshot(container: Container) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with container.sessions.transaction(write=False) as session:
        return {
            table.name: sorted(
                (tuple(row) for row in session.execute(select(table)).all()), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


def _seed(api: TestClient) -> dict[str, str]:
    """Real things for the paths to point at, made with the full-access key where the API
    already offers a way; the rest of the path parameters get well-formed strings."""
    values = {"user": "admin", "username": "admin"}
    r = api.post(
        "/api-public/v1/user",
        json={
            "firstName": "Rita",
            "lastName": "Reader",
            "username": "rita",
            "email": "rita@acme.example",
            "admin": False,
        },
    )
    if r.status_code == 200:
        values["user"] = values["username"] = "rita"
    r = api.post("/api-public/v1/team", json={"name": "Ops"})
    if r.status_code == 200 and isinstance(r.json().get("slug"), str):
        values["team"] = r.json()["slug"]
    return values


def _fill(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        lowered = name.lower()
        if lowered.endswith(("number", "id")) and "key" not in lowered:
            return "1"
        return f"{name}-1"

    return _PARAM.sub(value, path)


def _flush(container: Container, tally: UsageTally) -> None:
    # Tallies of the seeding calls are written in the background; settle them first.
    tally.flush(container.sessions)


def test_read_only_key_gets_403_on_every_write_route_and_changes_nothing(
    api: TestClient, org: Org, container: Container, app: FastAPI
) -> None:
    routes = _write_routes(app)
    # The foundation alone has writes (escalation policies, users, teams …); more come later.
    assert len(routes) >= 1, "no write routes found: discovery is broken"
    values = _seed(api)
    with container.sessions.transaction() as session:
        read_only = create_api_key(
            session, org.org_id, created_by=None, is_read_only=True, now=container.clock.now()
        )
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": read_only.api_key}
    _flush(container, container.usage)
    before = _snapshot(container)
    assert before["organization"], "snapshot sees no rows: wrong database"

    refused = []
    for method, template, route in routes:
        url = _fill(template, values)
        # A JSON body where the route takes one: the refusal must not hinge on a bad body.
        body: Any = {} if route.body_field is not None else None
        r = api.request(method, url, headers=headers, json=body)
        assert r.status_code == 403, (method, url, r.status_code, r.text)
        assert r.json() == {
            "error": "This API key is read-only: only GET requests are allowed",
            "message": "This API key is read-only: only GET requests are allowed",
        }, (method, url)
        refused.append((method, template))

    _flush(container, container.usage)
    after = _snapshot(container)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [], f"tables changed by read-only calls: {changed}"
    assert len(refused) == len(routes)


def test_the_same_key_still_reads(api: TestClient, org: Org, container: Container) -> None:
    with container.sessions.transaction() as session:
        read_only = create_api_key(
            session, org.org_id, created_by=None, is_read_only=True, now=container.clock.now()
        )
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": read_only.api_key}
    r = api.get("/api-public/v1/policies/types/timeouts", headers=headers)
    assert r.status_code == 200
