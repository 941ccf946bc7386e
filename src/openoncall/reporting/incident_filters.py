"""PURE: parse the query parameters of `GET /api-reporting/v2/incidents` into a filter.

NOTES (b) "Reporting": `offset` (default 0), `limit` (default 20, at most 100), `entityId`,
`incidentNumber` as lists and ranges (`4,5,20:50`), `startedAfter`/`startedBefore` (ISO-8601),
`host` and `service` (comma-separated), `currentPhase` (comma-separated, default resolved only)
and `routingKey`. Every bad value is an `InvalidInput` naming the query parameter, so the client
gets a 400 that says which one, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from openoncall.errors import InvalidInput
from openoncall.storable import MAX_DB_INT

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# A filter longer than this is a mistake or an attack, not a report query.
MAX_NUMBER_TERMS = 200

UNACKED = "UNACKED"
ACKED = "ACKED"
RESOLVED = "RESOLVED"

# NOTES (e) 4: the filter accepts the emitted enum and the older lower-case words alike.
_PHASE_WORDS: dict[str, str] = {
    "unacked": UNACKED,
    "triggered": UNACKED,
    "acked": ACKED,
    "acknowledged": ACKED,
    "resolved": RESOLVED,
}

# How the reporting API spells each phase: NOTES (f), lower case there.
REPORTING_PHASE = {UNACKED: "triggered", ACKED: "acknowledged", RESOLVED: "resolved"}


@dataclass(frozen=True, slots=True)
class NumberRange:
    """Incident numbers `low` through `high`, both included."""

    low: int
    high: int


@dataclass(frozen=True, slots=True)
class ReportingFilter:
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    entity_id: str | None = None
    numbers: tuple[NumberRange, ...] = ()
    started_after: datetime | None = None
    started_before: datetime | None = None
    hosts: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    phases: frozenset[str] = frozenset({RESOLVED})
    routing_key: str | None = None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def parse_int(value: str | None, field: str, *, default: int, low: int, high: int) -> int:
    """A bounded integer parameter; absent or blank gives the default."""
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not text.lstrip("-").isdigit():
        raise InvalidInput(f"{field} must be an integer, got '{value}'", field=field)
    number = int(text)
    if number < low or number > high:
        raise InvalidInput(f"{field} must be between {low} and {high}, got {number}", field=field)
    return number


def _incident_number(text: str, field: str) -> int:
    if not text.isdigit():
        raise InvalidInput(
            f"{field} must hold numbers or ranges like 20:50, got '{text}'", field=field
        )
    if len(text) > 10 or int(text) > MAX_DB_INT:
        raise InvalidInput(f"{field} numbers must be at most {MAX_DB_INT}", field=field)
    return int(text)


def parse_incident_numbers(
    value: str | None, field: str = "incidentNumber"
) -> tuple[NumberRange, ...]:
    """`4,5,20:50` → ranges (4..4), (5..5), (20..50)."""
    if value is None or _blank(value):
        return ()
    terms = [t.strip() for t in value.split(",") if t.strip()]
    if len(terms) > MAX_NUMBER_TERMS:
        raise InvalidInput(f"{field} has more than {MAX_NUMBER_TERMS} terms", field=field)
    ranges: list[NumberRange] = []
    for term in terms:
        if ":" in term:
            low_text, _, high_text = term.partition(":")
            low = _incident_number(low_text.strip(), field)
            high = _incident_number(high_text.strip(), field)
            if low > high:
                raise InvalidInput(f"{field} range {term} runs backwards", field=field)
            ranges.append(NumberRange(low, high))
        else:
            number = _incident_number(term, field)
            ranges.append(NumberRange(number, number))
    return tuple(ranges)


def parse_phase(word: str, field: str = "currentPhase") -> str:
    """One phase word, any case: UNACKED/ACKED/RESOLVED or triggered/acknowledged/resolved."""
    phase = _PHASE_WORDS.get(word.strip().lower())
    if phase is None:
        raise InvalidInput(
            f"{field} must be triggered, acknowledged or resolved "
            f"(or UNACKED, ACKED, RESOLVED), got '{word.strip()}'",
            field=field,
        )
    return phase


def parse_phases(
    value: str | None, field: str = "currentPhase", *, default: frozenset[str]
) -> frozenset[str]:
    if value is None or _blank(value):
        return default
    return frozenset(parse_phase(w, field) for w in value.split(",") if w.strip())


def parse_instant(value: str | None, field: str) -> datetime | None:
    """ISO-8601; a value without an offset is read as UTC (the API speaks UTC)."""
    if value is None or _blank(value):
        return None
    text = value.strip()
    # A `+` in a query string arrives as a space when the client did not encode it.
    if " " in text and "T" in text:
        text = text.replace(" ", "+")
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"{field} must be an ISO-8601 date-time such as 2020-03-24T19:31:57Z, got '{value}'",
            field=field,
        ) from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def parse_list(value: str | None) -> tuple[str, ...]:
    """A comma-separated list; blanks dropped, order kept, duplicates removed."""
    if value is None:
        return ()
    seen: dict[str, None] = {}
    for item in value.split(","):
        if item.strip():
            seen[item.strip()] = None
    return tuple(seen)


def parse_reporting_filter(
    *,
    offset: str | None = None,
    limit: str | None = None,
    entity_id: str | None = None,
    incident_number: str | None = None,
    started_after: str | None = None,
    started_before: str | None = None,
    host: str | None = None,
    service: str | None = None,
    current_phase: str | None = None,
    routing_key: str | None = None,
) -> ReportingFilter:
    """Every query parameter of the v2 incident history, checked; raises InvalidInput."""
    texts = {
        "offset": offset,
        "limit": limit,
        "entityId": entity_id,
        "incidentNumber": incident_number,
        "startedAfter": started_after,
        "startedBefore": started_before,
        "host": host,
        "service": service,
        "currentPhase": current_phase,
        "routingKey": routing_key,
    }
    for field, text in texts.items():
        # PostgreSQL refuses NUL in text: say so as a 400, never fail with a 500.
        if text is not None and "\x00" in text:
            raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    after = parse_instant(started_after, "startedAfter")
    before = parse_instant(started_before, "startedBefore")
    if after is not None and before is not None and after > before:
        raise InvalidInput(
            "startedAfter must not be later than startedBefore", field="startedAfter"
        )
    return ReportingFilter(
        offset=parse_int(offset, "offset", default=0, low=0, high=MAX_DB_INT),
        limit=parse_int(limit, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT),
        entity_id=None if entity_id is None or _blank(entity_id) else entity_id,
        numbers=parse_incident_numbers(incident_number),
        started_after=after,
        started_before=before,
        hosts=parse_list(host),
        services=parse_list(service),
        phases=parse_phases(current_phase, default=frozenset({RESOLVED})),
        routing_key=None if routing_key is None or _blank(routing_key) else routing_key,
    )
