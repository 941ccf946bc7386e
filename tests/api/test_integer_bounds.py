"""Integers no column holds: a 400 naming the field on both databases, never a 500.

Found by schemathesis (tests/api/test_schemathesis.py): an id, offset or number past 64 bits
made pysqlite raise OverflowError (a 500), while PostgreSQL answered a nameless 400; one
between 2**31 and 2**63 was stored by SQLite and refused by PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError

from openoncall.container import Container
from openoncall.storable import MAX_DB_INT
from tests.api.scheduling_builders import make_ops_team
from tests.conftest import Org

RULE = {"alertField": "host", "alertValueMatch": "db*", "matchType": "WILDCARD"}
PAST_64_BITS = 2**63
PAST_32_BITS = 2**31


@pytest.fixture
def team(api: TestClient, container: Container, org: Org) -> str:
    return make_ops_team(api, container, org.org_id).team


def _requests(team: str, big: int) -> list[tuple[str, str, Any, str]]:
    return [
        ("PUT", f"/api-public/v1/alertRules/{big}", RULE, "ruleId"),
        ("DELETE", f"/api-public/v1/alertRules/{big}", None, "ruleId"),
        ("DELETE", f"/api-public/v1/teams/{team}/rotations/{big}", None, "groupId"),
        ("GET", f"/api-public/v1/teams/{team}/rotations/1/{big}/scheduled", None, "shiftId"),
        ("GET", f"/api-public/v1/user?offset={big}&limit=5", None, "offset"),
        ("GET", f"/api-public/v1/incidents?offset={big}", None, "offset"),
        ("GET", f"/api-reporting/v2/incidents?incidentNumber={big}", None, "incidentNumber"),
        ("GET", f"/api-reporting/v2/incidents?incidentNumber=1:{big}", None, "incidentNumber"),
        ("POST", "/api-public/v1/alertRules", {**RULE, "rank": big}, "rank"),
        (
            "POST",
            "/api-public/v1/alertRules",
            {**RULE, "annotations": [{"fieldName": "x", "flags": big}]},
            "annotations.0.flags",
        ),
    ]


@pytest.mark.parametrize("big", [PAST_64_BITS, PAST_32_BITS], ids=["past-64-bits", "past-32"])
def test_an_integer_no_column_holds_is_a_400_naming_its_field(
    api: TestClient, team: str, big: int
) -> None:
    for method, url, body, field in _requests(team, big):
        response = api.request(method, url, json=body)
        assert response.status_code == 400, (method, url, response.text)
        assert response.json()["field"] == field, (method, url, response.text)
    assert api.get("/api-public/v1/alertRules").json() == []


def test_the_largest_integer_a_column_holds_is_still_accepted(api: TestClient, team: str) -> None:
    assert api.delete(f"/api-public/v1/alertRules/{MAX_DB_INT}").status_code == 404
    assert api.get(f"/api-public/v1/user?offset={MAX_DB_INT}").json()["users"] == [[]]
    reporting = api.get(f"/api-reporting/v2/incidents?incidentNumber=1:{MAX_DB_INT}")
    assert reporting.status_code == 200, reporting.text
    created = api.post("/api-public/v1/alertRules", json={**RULE, "rank": MAX_DB_INT})
    assert created.status_code == 200, created.text
    assert created.json()["rank"] == MAX_DB_INT


def test_a_bound_integer_past_64_bits_is_a_data_error_on_both_databases(engine: Engine) -> None:
    # The safety net under the field checks: SQLite's OverflowError becomes PostgreSQL's
    # DataError, which the API answers with a 400 rather than a 500.
    with engine.connect() as conn, pytest.raises(DataError):
        conn.execute(text("SELECT CAST(:n AS INTEGER)"), {"n": PAST_64_BITS * 4})
