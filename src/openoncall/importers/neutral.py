"""A source organization in neutral shapes: what every importer reads, what the applier writes.

References between objects use source ids (a source username, team id, rotation id, policy id),
which the applier maps to what it created here. Anything a reader cannot carry goes to
`Source.left_out` with the reason, never silently dropped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PagingRule:
    type: str  # email | sms | phone | push
    contact: str | None  # the email address or phone number it notifies; None for push


@dataclass(frozen=True, slots=True)
class PagingStep:
    timeout: int
    rules: tuple[PagingRule, ...]


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    first_name: str
    last_name: str
    email: str
    # Contact methods beyond the account address, as (label, value).
    emails: tuple[tuple[str, str], ...] = ()
    phones: tuple[tuple[str, str], ...] = ()
    paging: tuple[PagingStep, ...] = ()  # empty: the default policy


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    description: str
    members: tuple[str, ...]  # source user ids
    admins: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Shift:
    label: str
    timezone: str
    start: str  # ISO-8601 in UTC
    duration: int  # days between handoffs
    shifttype: str  # std | pho | cstm
    masks: tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]
    members: tuple[str, ...]  # source user ids, in rotation order
    now_on_call: str | None = None  # who the source says holds this shift now (or next)


@dataclass(frozen=True, slots=True)
class Rotation:
    id: str
    team: str
    label: str
    shifts: tuple[Shift, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    type: str  # the vendor executionType
    target: str  # source id of the rotation, user, policy or webhook; or the email address


@dataclass(frozen=True, slots=True)
class Step:
    timeout: int  # minutes before the step runs
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    team: str
    name: str
    ignore_custom_paging_policies: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class RoutingKey:
    key: str
    policies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    policy: str
    user: str | None


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    user: str
    timezone: str
    start: str
    end: str
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class LeftOut:
    kind: str
    id: str
    reason: str


@dataclass
class Source:
    """Everything read, in the order the applier needs it (dependencies first)."""

    name: str  # e.g. "splunk-oncall:https://api.victorops.com"
    users: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    rotations: list[Rotation] = field(default_factory=list)
    webhooks: list[Webhook] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    routing_keys: list[RoutingKey] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


def fingerprint(obj: object) -> str:
    """A stable hash of an object's content: unchanged at the source means unchanged here."""
    data = json.dumps(asdict(obj), sort_keys=True, default=str)  # type: ignore[call-overload]
    return hashlib.sha256(data.encode()).hexdigest()
