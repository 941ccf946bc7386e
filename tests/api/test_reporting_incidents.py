"""GET /api-reporting/v2/incidents: every filter, pagination, lower-case phases, 400s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openoncall.api.wire import iso_z
from openoncall.clock import FrozenClock
from openoncall.container import Container
from tests.api.incident_builders import (
    Opened,
    make_policy,
    open_alert_incident,
    repeat_alert,
)
from tests.api.scheduling_builders import make_team, make_user
from tests.conftest import T0, Org, make_org

HISTORY = "/api-reporting/v2/incidents"
ALL = "triggered,acknowledged,resolved"


def _at(minutes: int) -> str:
    return iso_z(T0 + timedelta(minutes=minutes))


def _transition(
    name: str, minutes: int, alert: str, message: str | None, by: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "at": _at(minutes),
        "by": by,
        "message": message,
        "manually": False,
        "alertId": alert,
        "alertUrl": f"/api-public/v1/alerts/{alert}",
    }


@pytest.fixture
def history(container: Container, clock: FrozenClock, org: Org) -> dict[int, dict[str, Any]]:
    """Five incidents ten minutes apart; returns each one's expected reporting item."""
    make_user(container, org.org_id, "alice")
    team = make_team(container, org.org_id, "Ops", ["alice"])
    policy = make_policy(container, org.org_id, team, "Ops policy")
    plan = [
        # number: (entity, host, service, routing key, what happens a minute later)
        (1, "a", "web-1", "nginx", "web", "RECOVERY"),
        (2, "b", "web-2", "mysql", "db", "RECOVERY"),
        (3, "c", "web-1", "mysql", "db", "ACKNOWLEDGEMENT"),
        (4, "a", "web-1", "nginx", "web", None),
        (5, "d", "db-1", None, "db", "RECOVERY"),
    ]
    expected: dict[int, dict[str, Any]] = {}
    for number, entity, host, service, key, then in plan:
        clock.set(T0 + timedelta(minutes=10 * (number - 1)))
        opened: Opened = open_alert_incident(
            container,
            org.org_id,
            entity,
            display_name=f"Problem {number}",
            routing_key=key,
            host=host,
            service_name=service,
            policies=[policy],
            users=["alice"],
        )
        assert opened.number == number
        start = 10 * (number - 1)
        transitions = [_transition("triggered", start, opened.alert_uuid, f"Problem {number}")]
        phase = "triggered"
        if then is not None:
            clock.advance(timedelta(minutes=1))
            later = repeat_alert(container, org.org_id, number, message_type=then)
            phase = "resolved" if then == "RECOVERY" else "acknowledged"
            # An alert's ack or recovery is by its monitoring tool, as the endpoint records it.
            transitions.append(_transition(phase, start + 1, later, None, by="nagios"))
        expected[number] = {
            "incidentNumber": str(number),
            "startTime": _at(start),
            "currentPhase": phase,
            "alertCount": 1,
            "lastAlertTime": _at(start),
            "lastAlertId": opened.alert_uuid,
            "entityId": entity,
            "entityDisplayName": f"Problem {number}",
            "entityState": "critical",
            "entityType": "service",
            "host": host,
            "service": service,
            "routingKey": key,
            "pagedUsers": ["alice"],
            "pagedTeams": [team],
            "pagedPolicies": [
                {
                    "policy": {
                        "name": "Ops policy",
                        "slug": policy,
                        "_selfUrl": f"/api-public/v1/policies/{policy}",
                    },
                    "team": {"name": "Ops", "slug": team},
                }
            ],
            "transitions": transitions,
        }
    return expected


def test_default_is_resolved_only_newest_first_with_whole_items(
    api: TestClient, history: dict[int, dict[str, Any]]
) -> None:
    response = api.get(HISTORY)

    assert response.status_code == 200
    assert response.json() == {
        "offset": 0,
        "limit": 20,
        "total": 3,
        "incidents": [history[5], history[2], history[1]],
    }


# Case name → (query parameters, the incident numbers they select, newest first).
FILTER_CASES: dict[str, tuple[dict[str, str], list[int]]] = {
    "open-words": ({"currentPhase": "triggered,acknowledged"}, [4, 3]),
    "enum": ({"currentPhase": "UNACKED"}, [4]),
    "mixed-case": ({"currentPhase": "Acked"}, [3]),
    "phase-and-host": ({"currentPhase": "resolved,triggered", "host": "web-1"}, [4, 1]),
    "numbers-and-range": ({"currentPhase": ALL, "incidentNumber": "1,3:5"}, [5, 4, 3, 1]),
    "one-number": ({"currentPhase": ALL, "incidentNumber": "2"}, [2]),
    "started-window": (
        {"currentPhase": ALL, "startedAfter": _at(10), "startedBefore": _at(30)},
        [4, 3, 2],
    ),
    "started-after-with-offset": (
        {"currentPhase": ALL, "startedAfter": "2026-01-05T13:35:00+01:00"},
        [5],
    ),
    "services": ({"currentPhase": ALL, "service": "mysql,nginx"}, [4, 3, 2, 1]),
    "hosts": ({"currentPhase": ALL, "host": "web-2, db-1"}, [5, 2]),
    "routing-key-resolved-default": ({"routingKey": "db"}, [5, 2]),
    "routing-key-case-sensitive": ({"routingKey": "DB"}, []),
    "entity": ({"currentPhase": ALL, "entityId": "a"}, [4, 1]),
    "entity-and-other-service": ({"currentPhase": ALL, "entityId": "a", "service": "mysql"}, []),
}


def test_filters_select_the_matching_incidents(
    api: TestClient, history: dict[int, dict[str, Any]]
) -> None:
    # One history, many queries: the cases share the (slow to build) fixture.
    for name, (params, numbers) in FILTER_CASES.items():
        response = api.get(HISTORY, params=params)

        assert response.status_code == 200, name
        assert response.json() == {
            "offset": 0,
            "limit": 20,
            "total": len(numbers),
            "incidents": [history[n] for n in numbers],
        }, name


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    # The history is read, never written, so sharing it between examples is sound.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(terms=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3)), min_size=1, max_size=5))
def test_number_filter_selects_exactly_the_listed_numbers_and_ranges(
    api: TestClient, history: dict[int, dict[str, Any]], terms: list[tuple[int, int]]
) -> None:
    text = ",".join(str(low) if width == 0 else f"{low}:{low + width}" for low, width in terms)
    wanted = {n for low, width in terms for n in range(low, low + width + 1)} & set(history)

    response = api.get(HISTORY, params={"currentPhase": ALL, "incidentNumber": text})

    assert response.status_code == 200
    assert [int(i["incidentNumber"]) for i in response.json()["incidents"]] == sorted(
        wanted, reverse=True
    )
    assert response.json()["total"] == len(wanted)


def test_pages_through_with_offset_and_limit(
    api: TestClient, history: dict[int, dict[str, Any]]
) -> None:
    pages = [
        api.get(HISTORY, params={"currentPhase": ALL, "limit": "2", "offset": str(offset)}).json()
        for offset in (0, 2, 4, 6)
    ]

    assert pages == [
        {"offset": 0, "limit": 2, "total": 5, "incidents": [history[5], history[4]]},
        {"offset": 2, "limit": 2, "total": 5, "incidents": [history[3], history[2]]},
        {"offset": 4, "limit": 2, "total": 5, "incidents": [history[1]]},
        {"offset": 6, "limit": 2, "total": 5, "incidents": []},
    ]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"limit": "101"}, {"error": "limit must be between 1 and 100, got 101", "field": "limit"}),
        ({"limit": "0"}, {"error": "limit must be between 1 and 100, got 0", "field": "limit"}),
        ({"offset": "-5"}, {"error": "offset must be between 0 and 2147483647, got -5",
                            "field": "offset"}),
        ({"offset": "many"}, {"error": "offset must be an integer, got 'many'", "field": "offset"}),
        ({"incidentNumber": "5:1"}, {"error": "incidentNumber range 5:1 runs backwards",
                                     "field": "incidentNumber"}),
        ({"currentPhase": "open"}, {"error": "currentPhase must be triggered, acknowledged or "
                                             "resolved (or UNACKED, ACKED, RESOLVED), got 'open'",
                                    "field": "currentPhase"}),
        ({"startedBefore": "last week"}, {"error": "startedBefore must be an ISO-8601 date-time "
                                                   "such as 2020-03-24T19:31:57Z, got 'last week'",
                                          "field": "startedBefore"}),
        ({"host": "web\u00001"}, {"error": "host must not contain NUL characters",
                                   "field": "host"}),
    ],
    ids=["limit-over-max", "limit-zero", "negative-offset", "word-offset", "backwards-range",
         "unknown-phase", "bad-date", "nul-in-host"],
)  # fmt: skip
def test_bad_parameters_are_400_naming_the_parameter(
    api: TestClient, params: dict[str, str], error: dict[str, str]
) -> None:
    response = api.get(HISTORY, params=params)
    assert (response.status_code, response.json()) == (400, {**error, "message": error["error"]})


def test_history_is_empty_and_other_orgs_are_invisible(
    api: TestClient, container: Container
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    theirs = open_alert_incident(container, other.org_id, "theirs")
    repeat_alert(container, other.org_id, theirs.number, message_type="RECOVERY")

    response = api.get(HISTORY, params={"currentPhase": ALL})

    assert (response.status_code, response.json()) == (
        200,
        {"offset": 0, "limit": 20, "total": 0, "incidents": []},
    )
