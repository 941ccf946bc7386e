"""Odd input is a clear 4xx naming the field, the same on SQLite and PostgreSQL: deep JSON,
lone UTF-16 surrogates, NUL, NaN, over-long alert fields and over-large notes."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from openoncall.alerts.models import Alert
from openoncall.container import Container
from openoncall.incidents.models import IncidentNote
from tests.api.incident_builders import open_alert_incident
from tests.api.test_alerts import alert_url
from tests.conftest import Org

NOTES = "/api-public/v1/incidents/1/notes"
JSON = {"content-type": "application/json"}


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _alerts(container: Container) -> int:
    with container.sessions.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Alert)) or 0


def _notes(container: Container) -> int:
    with container.sessions.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(IncidentNote)) or 0


def test_deeply_nested_alert_is_a_4xx_with_a_bogus_key_or_a_real_one(
    client: TestClient, org: Org, container: Container
) -> None:
    body = b'{"message_type":"CRITICAL","x":' + _nested(6000) + b"}"  # 12 KB
    bogus = client.post("/integrations/generic/20131114/alert/bogus/db", content=body)
    assert (bogus.status_code, bogus.json()) == (
        404,
        {"error": "Not found", "message": "Not found"},
    )
    real = client.post(alert_url(org, "db"), content=body)
    assert (real.status_code, real.json()) == (
        400,
        {"result": "failure", "message": "Request body is nested deeper than 64 levels"},
    )
    just_too_deep = b'{"message_type":"CRITICAL","x":' + _nested(64) + b"}"
    r = client.post(alert_url(org, "db"), content=just_too_deep)
    assert r.json() == {
        "result": "failure",
        "message": "Invalid field " + "x" + "[0]" * 63 + ": is nested deeper than 64 levels",
    }
    assert client.post(
        alert_url(org, "db"),
        content=b'{"message_type":"CRITICAL","entity_id":"ok","x":' + _nested(63) + b"}",
    ).json() == {"result": "success", "entity_id": "ok"}
    assert _alerts(container) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"message_type":"CRITICAL","state_message":"disk \\ud800"}',
            "Invalid field state_message: must be valid Unicode text "
            "(it holds a lone surrogate such as \\ud800)",
        ),
        (
            b'{"message_type":"CRITICAL","tags":["a","\xed\xa0\x80"]}',
            "Invalid field tags[1]: must be valid Unicode text "
            "(it holds a lone surrogate such as \\ud800)",
        ),
        (
            b'{"message_type":"CRITICAL","state_message":"a\\u0000b"}',
            "Invalid field state_message: must not contain NUL characters",
        ),
        (
            b'{"message_type":"CRITICAL","x":{"a\\u0000":1}}',
            "Invalid field x: has a key that must not contain NUL characters",
        ),
        (
            b'{"message_type":"CRITICAL","metric":{"value":NaN}}',
            "Invalid field metric.value: must be a finite number (NaN and Infinity are not JSON)",
        ),
        (
            b'{"message_type":"CRITICAL","timestamp":-Infinity}',
            "Invalid field timestamp: must be a finite number (NaN and Infinity are not JSON)",
        ),
        (
            b'{\x00"\x00m\x00"\x00}\x00',
            "Request body must be UTF-8 JSON without NUL bytes",
        ),
        (
            json.dumps({"message_type": "CRITICAL", "monitoring_tool": "t" * 129}).encode(),
            "Invalid field monitoring_tool: longer than 128 characters",
        ),
        (
            json.dumps({"message_type": "CRITICAL", "entity_id": "e" * 513}).encode(),
            "Invalid field entity_id: longer than 512 characters",
        ),
    ],
    ids=[
        "surrogate-escape",
        "surrogate-utf8",
        "nul",
        "nul-in-key",
        "nan",
        "infinity",
        "utf16",
        "long-tool",
        "long-entity",
    ],
)
def test_unstorable_alerts_are_refused_alike_on_every_database(
    client: TestClient, org: Org, container: Container, body: bytes, message: str
) -> None:
    r = client.post(alert_url(org, "db"), content=body)
    assert (r.status_code, r.json()) == (400, {"result": "failure", "message": message})
    assert _alerts(container) == 0


def test_over_long_routing_key_is_refused(client: TestClient, org: Org) -> None:
    r = client.post(alert_url(org, "k" * 256), json={"message_type": "CRITICAL"})
    assert (r.status_code, r.json()) == (
        400,
        {"result": "failure", "message": "Invalid routing key: longer than 255 characters"},
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (
            b'{"a":"\\ud800"}',
            "json_value.a must be valid Unicode text (it holds a lone surrogate such as \\ud800)",
        ),
        (b'{"a":' + _nested(300) + b"}", "json_value.a" + "[0]" * 63 + " is nested deeper"),
        (b'{"a":NaN}', "json_value.a must be a finite number"),
        (b'{"a":{"b\\u0000":1}}', "json_value.a has a key that must not contain NUL"),
    ],
    ids=["surrogate", "nested-300", "nan", "nul-key"],
)
def test_unstorable_notes_are_a_400_naming_json_value(
    api: TestClient, container: Container, org: Org, value: bytes, error: str
) -> None:
    open_alert_incident(container, org.org_id, "disk/web-1")
    r = api.post(NOTES, content=b'{"name":"n","json_value":' + value + b"}", headers=JSON)
    assert r.status_code == 400
    assert r.json()["field"] == "json_value"
    assert error in r.json()["error"]
    assert _notes(container) == 0
    assert api.get(NOTES).status_code == 200


def test_a_lone_surrogate_in_a_note_name_is_a_400(
    api: TestClient, container: Container, org: Org
) -> None:
    open_alert_incident(container, org.org_id, "disk/web-1")
    r = api.post(NOTES, content=b'{"name":"n\\udc00"}', headers=JSON)
    assert r.status_code == 400
    assert r.json()["field"] == "name"


def test_a_note_larger_than_the_cap_is_refused_naming_json_value(
    api: TestClient, container: Container, org: Org
) -> None:
    open_alert_incident(container, org.org_id, "disk/web-1")
    limit = container.settings.max_note_bytes
    fits = api.post(NOTES, json={"name": "fits", "json_value": {"v": "x" * (limit - 20)}})
    assert fits.status_code == 200
    over = api.post(NOTES, json={"name": "over", "json_value": {"v": "x" * limit}})
    assert (over.status_code, over.json()) == (
        400,
        {
            "error": f"json_value is larger than {limit} bytes as JSON",
            "message": f"json_value is larger than {limit} bytes as JSON",
            "field": "json_value",
        },
    )
    put = api.put(f"{NOTES}/fits", json={"json_value": {"v": "x" * limit}})
    assert put.status_code == 400
    assert _notes(container) == 1
