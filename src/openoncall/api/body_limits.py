"""Request bodies: who may send one and how large, decided before the body is read.

An ASGI layer in front of every route (FastAPI reads and parses a body before any dependency
runs, so authentication in a dependency comes too late to spare the memory):

1. A `Content-Length` above the route's cap is answered 413 at once.
2. The caller is authenticated from what precedes the body: the API headers on API routes,
   the REST endpoint key in the URL of the alert endpoint, the provider's signature header on
   the SMS webhook. A refusal is answered without reading the body.
3. The body is read up to the cap, counting chunked bodies as they arrive (never buffering
   more than the cap), then handed to the route; one byte more is a 413.

Caps: `OPENONCALL_MAX_BODY_BYTES` for every route, `OPENONCALL_MAX_NOTE_BYTES` (plus room
for the note's name) for the incident-notes routes.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openoncall.alerts.endpoint_keys import rest_key_known
from openoncall.api.errors import error_body, message_body, status_for
from openoncall.auth.api_keys import authenticate
from openoncall.container import Container
from openoncall.errors import OnCallError
from openoncall.ids import hash_secret

log = logging.getLogger(__name__)

ALERT_PREFIX = "/integrations/generic/20131114/alert/"
API_PREFIXES = ("/api-public/", "/api-reporting/", "/api-ext/")
SMS_INBOUND_PATH = "/api-ext/v1/sms/inbound"
_NOTES = re.compile(r"^/api-public/v1/incidents/[^/]+/notes(?:/[^/]*)?$")
# A note's body holds its name and display name beside the value the note cap measures.
NOTE_ENVELOPE_BYTES = 16 * 1024
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _chunked(scope: Scope) -> bool:
    return "chunked" in (_header(scope, b"transfer-encoding") or "").lower()


def _may_have_body(scope: Scope) -> bool:
    if scope["method"] not in _BODYLESS or _chunked(scope):
        return True
    return _header(scope, b"content-length") not in (None, "0")


class BodyLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _may_have_body(scope):
            await self.app(scope, receive, send)
            return
        outcome = await self._admit(scope, receive)
        if isinstance(outcome, _Answer):
            await _send(send, scope["path"], outcome)
        elif outcome is not None:
            await self.app(scope, _replay(outcome, receive), send)

    async def _admit(self, scope: Scope, receive: Receive) -> _Answer | bytes | None:
        """The refusal, the whole body, or None when the client went away."""
        container: Container = scope["app"].state.container
        path: str = scope["path"]
        limit = self._limit(container, path)
        length_text = _header(scope, b"content-length")
        try:
            length = int(length_text) if length_text is not None else 0
        except ValueError:
            return _Answer(400, message_body("Invalid Content-Length", "Content-Length"))
        if length > limit:
            return _too_large(limit)
        if length > 0 or _chunked(scope):
            refusal = await self._gate(container, scope, path)
            if refusal is not None:
                return refusal
        try:
            body = await _read(receive, limit)
        except _ClientGone:
            return None
        return body if body is not None else _too_large(limit)

    @staticmethod
    def _limit(container: Container, path: str) -> int:
        settings = container.settings
        if _NOTES.match(path):
            return settings.max_note_bytes + NOTE_ENVELOPE_BYTES
        return settings.max_body_bytes

    async def _gate(self, container: Container, scope: Scope, path: str) -> _Answer | None:
        if path.startswith(ALERT_PREFIX):
            rest_key = path[len(ALERT_PREFIX) :].split("/", 1)[0]
            if not rest_key or not await rest_key_known(container, hash_secret(rest_key)):
                return _Answer(404, message_body("Not found"))
            return None
        if path == SMS_INBOUND_PATH:
            # The signature covers the body, so it is checked by the route; without a token
            # or a signature header there is nothing to check, so nothing is read.
            if container.settings.sms_auth_token is None or not _header(
                scope, b"x-twilio-signature"
            ):
                log.warning(
                    "inbound SMS webhook refused: %s",
                    "OPENONCALL_SMS_AUTH_TOKEN is not set"
                    if container.settings.sms_auth_token is None
                    else "no X-Twilio-Signature header",
                )
                return _Answer(403, message_body("Forbidden"))
            return None
        if path.startswith(API_PREFIXES):
            return await _api_gate(container, scope)
        return None


async def _api_gate(container: Container, scope: Scope) -> _Answer | None:
    api_id = _header(scope, b"x-vo-api-id")
    api_key = _header(scope, b"x-vo-api-key")
    method: str = scope["method"]

    def check() -> None:
        with container.sessions.transaction(write=False) as session:
            authenticate(session, api_id, api_key, method)

    try:
        await run_in_threadpool(check)
    except OnCallError as exc:
        return _Answer(status_for(exc), error_body(exc))
    return None


def _too_large(limit: int) -> _Answer:
    return _Answer(413, message_body(f"Request body too large: at most {limit} bytes", "body"))


class _ClientGone(Exception):
    pass


async def _read(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send(send: Send, path: str, answer: _Answer) -> None:
    body = answer.body
    if path.startswith(ALERT_PREFIX) and answer.status == 413:
        # The alert endpoint's own failure shape (its message since before the cap was a
        # setting).
        body = {"result": "failure", "message": "Alert too large"}
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                # The unread rest of the body makes the connection unusable for another request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
