"""PURE: turn a REST-endpoint body into alert fields (NOTES (c), (f)); no I/O, no clock.

`parse_body` checks what the endpoint refuses (not JSON, not an object, no message_type);
`normalize` reads the well-known fields after the rules engine ran, with the live service's
leniencies: any case for `message_type`, `OK` meaning RECOVERY, `message` standing in for
`state_message`, epoch seconds as numbers or strings, and every unknown key kept.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openoncall.storable import MAX_JSON_DEPTH, find_unstorable

MESSAGE_TYPES = {
    "CRITICAL": "CRITICAL",
    "WARNING": "WARNING",
    "INFO": "INFO",
    "ACKNOWLEDGEMENT": "ACKNOWLEDGEMENT",
    "ACKNOWLEDGMENT": "ACKNOWLEDGEMENT",
    "ACK": "ACKNOWLEDGEMENT",
    "RECOVERY": "RECOVERY",
    "OK": "RECOVERY",
}


class PayloadError(ValueError):
    """The body cannot be an alert; `message` is the endpoint's failure message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class AlertData:
    """The normalized alert: what the lifecycle and the alert row need."""

    message_type: str
    entity_id: str
    entity_display_name: str
    state_message: str
    monitoring_tool: str | None
    timestamp: datetime
    state_start_time: datetime
    entity_is_host: bool
    host: str | None
    service: str | None
    ack_author: str | None
    ack_msg: str | None


# The longest text each well-known field may have: the width of the column it is stored in
# (an acknowledging tool's name also becomes the timeline's actor, 128 characters).
FIELD_LIMITS = {
    "entity_id": 512,
    "monitoring_tool": 128,
    "ack_author": 128,
    "host_name": 255,
    "host": 255,
    "service": 255,
}
MAX_ROUTING_KEY = 255


# What may decode to an unstorable value: a \u escape, a NaN/Infinity constant, or the
# UTF-8 form of a surrogate (json.loads decodes bytes with "surrogatepass").
_SUSPECT = re.compile(rb"\\u|NaN|Infinity|\xed[\xa0-\xbf]")


def _may_be_unstorable(body: bytes) -> bool:
    """Cheap test of the raw bytes, so that ordinary alerts skip the walk over every value."""
    return _SUSPECT.search(body) is not None or body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body, or PayloadError."""
    if not body.strip():
        raise PayloadError("Missing fields: message_type")
    if b"\x00" in body:  # UTF-16/32 JSON, or a raw NUL: neither can be kept as the raw text
        raise PayloadError("Request body must be UTF-8 JSON without NUL bytes")
    try:
        data = json.loads(body)
    except RecursionError as exc:
        raise PayloadError(f"Request body is nested deeper than {MAX_JSON_DEPTH} levels") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError("Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise PayloadError("Request body must be a JSON object")
    if _may_be_unstorable(body):
        problem = find_unstorable(data, "")
        if problem is not None:
            raise PayloadError(f"Invalid field {problem.field or 'body'}: {problem.reason}")
    for name, limit in FIELD_LIMITS.items():
        text = _text(data.get(name))
        if text is not None and len(text) > limit:
            raise PayloadError(f"Invalid field {name}: longer than {limit} characters")
    message_type = data.get("message_type")
    if message_type is None or (isinstance(message_type, str) and not message_type.strip()):
        raise PayloadError("Missing fields: message_type")
    if not isinstance(message_type, str) or message_type.strip().upper() not in MESSAGE_TYPES:
        raise PayloadError(f"Invalid message_type: {message_type}")
    return data


def message_type_of(value: Any) -> str | None:
    if isinstance(value, str):
        return MESSAGE_TYPES.get(value.strip().upper())
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True)


def _clip(fields: dict[str, Any], name: str) -> str | None:
    """A well-known field's text cut to its column: a rule's transformation may lengthen what
    `parse_body` checked as sent."""
    text = _text(fields.get(name))
    return text[: FIELD_LIMITS[name]] if text is not None else None


def _instant(value: Any, default: datetime) -> datetime:
    """Epoch seconds (number or numeric string); milliseconds are recognised by size."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    if not math.isfinite(seconds) or seconds <= 0:
        return default
    if seconds > 1e11:  # clearly milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return default


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "y"}
    return bool(value)


def normalize(fields: dict[str, Any], *, original_type: str, received_at: datetime) -> AlertData:
    """Read the well-known fields; `fields` must already hold an `entity_id`.

    A rule may rewrite `message_type`; if it writes something unknown, the alert keeps the
    type it arrived with (`original_type`) rather than being lost.
    """
    message_type = message_type_of(fields.get("message_type")) or original_type
    entity_id = _clip(fields, "entity_id") or ""
    state_message = _text(fields.get("state_message"))
    if state_message is None:
        state_message = _text(fields.get("message"))
    timestamp = _instant(fields.get("timestamp"), received_at)
    return AlertData(
        message_type=message_type,
        entity_id=entity_id,
        entity_display_name=_text(fields.get("entity_display_name")) or "",
        state_message=state_message or "",
        monitoring_tool=_clip(fields, "monitoring_tool"),
        timestamp=timestamp,
        state_start_time=_instant(fields.get("state_start_time"), timestamp),
        entity_is_host=_truthy(fields.get("entity_is_host")),
        host=_clip(fields, "host_name" if "host_name" in fields else "host"),
        service=_clip(fields, "service"),
        ack_author=_clip(fields, "ack_author"),
        ack_msg=_text(fields.get("ack_msg")),
    )


def with_entity_id(data: dict[str, Any], generate: Callable[[], str]) -> dict[str, Any]:
    """The alert's fields with an `entity_id`: a generated one when missing or blank
    (NOTES (c)); a non-string id (a number) is kept as its JSON text. `generate` is called
    only when needed (a UUID costs a syscall on the hot path)."""
    entity = data.get("entity_id")
    if entity is None or (isinstance(entity, str) and not entity.strip()):
        data["entity_id"] = generate()
    elif not isinstance(entity, str):
        data["entity_id"] = json.dumps(entity)
    return data
