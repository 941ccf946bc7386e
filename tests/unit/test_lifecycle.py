"""The pure incident state machine: every transition, allowed or refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openoncall.errors import InvalidTransition
from openoncall.incidents import lifecycle
from openoncall.incidents.lifecycle import Transition

AT = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def test_trigger_opens_unacked() -> None:
    assert lifecycle.trigger(at=AT, by="nagios", message="disk", manually=False, alert_id="a1") == (
        Transition(
            name="UNACKED",
            previous="",
            at=AT,
            by="nagios",
            message="disk",
            manually=False,
            alert_id="a1",
        )
    )


def test_ack_then_resolve() -> None:
    ack = lifecycle.acknowledge("UNACKED", at=AT, by="jdoe", message="mine", manually=True)
    assert ack == Transition("ACKED", "UNACKED", AT, "jdoe", "mine", True)
    assert ack.to_data() == {"name": "ACKED", "previous": "UNACKED", "by": "jdoe", "manually": True}
    res = lifecycle.resolve("ACKED", at=AT, by=None, message="", manually=False, alert_id="a9")
    assert res.to_data() == {
        "name": "RESOLVED",
        "previous": "ACKED",
        "by": None,
        "manually": False,
        "alertId": "a9",
    }


def test_resolve_straight_from_unacked() -> None:
    assert lifecycle.resolve("UNACKED", at=AT, by="x", message="", manually=True).name == "RESOLVED"


@pytest.mark.parametrize(
    ("phase", "message"),
    [("ACKED", "Incident is already acknowledged"), ("RESOLVED", "Incident is already resolved")],
)
def test_ack_refused(phase: str, message: str) -> None:
    with pytest.raises(InvalidTransition, match=message):
        lifecycle.acknowledge(phase, at=AT, by="x", message="", manually=True)


def test_resolve_and_reroute_refused_when_resolved() -> None:
    with pytest.raises(InvalidTransition, match="already resolved"):
        lifecycle.resolve("RESOLVED", at=AT, by="x", message="", manually=True)
    with pytest.raises(InvalidTransition, match="already resolved"):
        lifecycle.reroute("RESOLVED", at=AT, by="x", message="")


def test_reroute_of_an_acknowledged_incident_is_a_transition_back_to_unacked() -> None:
    assert lifecycle.reroute("ACKED", at=AT, by="x", message="rerouted") == Transition(
        name="UNACKED", previous="ACKED", at=AT, by="x", message="rerouted", manually=True
    )
    assert lifecycle.reroute("UNACKED", at=AT, by="x", message="rerouted") is None


@pytest.mark.parametrize(
    ("phase", "expected"), [("UNACKED", True), ("ACKED", True), ("RESOLVED", False)]
)
def test_only_open_incidents_aggregate(phase: str, expected: bool) -> None:
    assert lifecycle.can_aggregate(phase) is expected


def test_unknown_phase_is_refused() -> None:
    for call in (
        lambda: lifecycle.acknowledge("triggered", at=AT, by=None, message="", manually=False),
        lambda: lifecycle.resolve("", at=AT, by=None, message="", manually=False),
        lambda: lifecycle.can_aggregate("open"),
    ):
        with pytest.raises(InvalidTransition, match="Unknown incident phase"):
            call()
