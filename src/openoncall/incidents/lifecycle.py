"""PURE: the incident state machine UNACKED → ACKED → RESOLVED.

Each transition takes the current phase and returns the `Transition` to record (the caller
writes it as a timeline event and applies the new phase in the same transaction), or raises
`InvalidTransition`. No I/O, no clock: `now` is an argument.

    UNACKED ──ack──▶ ACKED ──resolve──▶ RESOLVED
       └──────────resolve──────────────▲
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openoncall.errors import InvalidTransition

UNACKED = "UNACKED"
ACKED = "ACKED"
RESOLVED = "RESOLVED"
PHASES = (UNACKED, ACKED, RESOLVED)


@dataclass(frozen=True, slots=True)
class Transition:
    """A phase change, in the shape of IncidentTransition on the wire."""

    name: str
    previous: str
    at: datetime
    by: str | None
    message: str
    manually: bool
    alert_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """The JSON stored in the timeline event's `data`."""
        data: dict[str, Any] = {
            "name": self.name,
            "previous": self.previous,
            "by": self.by,
            "manually": self.manually,
        }
        if self.alert_id is not None:
            data["alertId"] = self.alert_id
        data.update(self.extra)
        return data


def _check_phase(phase: str) -> None:
    if phase not in PHASES:
        raise InvalidTransition(f"Unknown incident phase {phase!r}", field="currentPhase")


def trigger(
    *, at: datetime, by: str | None, message: str, manually: bool, alert_id: str | None
) -> Transition:
    """The opening transition of a new incident (phase UNACKED)."""
    return Transition(
        name=UNACKED,
        previous="",
        at=at,
        by=by,
        message=message,
        manually=manually,
        alert_id=alert_id,
    )


def acknowledge(
    phase: str,
    *,
    at: datetime,
    by: str | None,
    message: str,
    manually: bool,
    alert_id: str | None = None,
) -> Transition:
    """UNACKED → ACKED. Acking an acked incident or a resolved one is refused."""
    _check_phase(phase)
    if phase == ACKED:
        raise InvalidTransition("Incident is already acknowledged")
    if phase == RESOLVED:
        raise InvalidTransition("Incident is already resolved")
    return Transition(
        name=ACKED,
        previous=phase,
        at=at,
        by=by,
        message=message,
        manually=manually,
        alert_id=alert_id,
    )


def resolve(
    phase: str,
    *,
    at: datetime,
    by: str | None,
    message: str,
    manually: bool,
    alert_id: str | None = None,
) -> Transition:
    """UNACKED or ACKED → RESOLVED. Resolving twice is refused."""
    _check_phase(phase)
    if phase == RESOLVED:
        raise InvalidTransition("Incident is already resolved")
    return Transition(
        name=RESOLVED,
        previous=phase,
        at=at,
        by=by,
        message=message,
        manually=manually,
        alert_id=alert_id,
    )


def can_aggregate(phase: str) -> bool:
    """Alerts fold into an incident only while it is open (NOTES (c) dedup)."""
    _check_phase(phase)
    return phase != RESOLVED


def reroute(phase: str, *, at: datetime, by: str | None, message: str) -> Transition | None:
    """Only open incidents can be rerouted. An acknowledged one pages its new targets, so it
    goes back to UNACKED: that is a transition (None when it is unacknowledged already)."""
    _check_phase(phase)
    if phase == RESOLVED:
        raise InvalidTransition("Incident is already resolved")
    if phase == UNACKED:
        return None
    return Transition(name=UNACKED, previous=phase, at=at, by=by, message=message, manually=True)
