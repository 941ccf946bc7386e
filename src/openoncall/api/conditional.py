"""Conditional GET: an `ETag` on answers that pollers fetch again and again (on-call now,
schedules, calendar feeds), and 304 Not Modified when the client already holds that answer.

The tag is a hash of what the answer says, so it is the same in every process that computes
the same answer (N servers behind a load balancer) and changes exactly when the answer does.
For a calendar feed the tag covers the events but not DTSTAMP (the moment of rendering), so a
feed whose events did not change is not modified. No `Last-Modified`: an answer computed from
rotations at the current instant has no meaningful modification time, and RFC 9110 makes the
entity tag the validator that wins whenever both are present.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

from openoncall.api.responses import JsonBytes


def entity_tag(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f'"{digest.hexdigest()}"'


def _matches(request: Request, tag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or tag in tags


def not_modified(request: Request, tag: str) -> Response | None:
    """An empty 304 when the request already holds `tag`, else None."""
    if not _matches(request, tag):
        return None
    return tagged(Response(status_code=304), tag)


def tagged(response: Response, tag: str) -> Response:
    # no-cache: clients keep the answer but revalidate before each use.
    response.headers.update({"ETag": tag, "Cache-Control": "no-cache"})
    return response


def conditional_json(request: Request, body: bytes) -> Response:
    """A JSON answer tagged with the hash of its bytes (or 304 when the client has it)."""
    tag = entity_tag(body)
    return not_modified(request, tag) or tagged(JsonBytes(body), tag)
