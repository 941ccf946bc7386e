"""The REST alert endpoint: POST /integrations/generic/20131114/alert/{restKey}[/{routingKey}].

Authenticated by the organization's REST endpoint key in the URL (not the API headers), and
never rate-limited: monitoring tools must always get their alerts in. An `async` endpoint on
purpose: it only parses and waits for the group-commit writer, so no thread is held per alert.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from openoncall.alerts.models import AlertSource
from openoncall.alerts.payload import MAX_ROUTING_KEY, PayloadError, parse_body, with_entity_id
from openoncall.alerts.routed import Submission
from openoncall.alerts.schemas import AlertFailure, AlertSuccess
from openoncall.alerts.writer import writer_for
from openoncall.auth.deps import get_container
from openoncall.container import Container
from openoncall.ids import hash_secret

router = APIRouter(tags=["Alerts (REST endpoint)"])

BASE = "/integrations/generic/20131114/alert"

_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["message_type"],
                    "properties": {
                        "message_type": {
                            "type": "string",
                            "enum": ["CRITICAL", "WARNING", "INFO", "ACKNOWLEDGEMENT", "RECOVERY"],
                        },
                        "entity_id": {"type": "string"},
                        "entity_display_name": {"type": "string"},
                        "state_message": {"type": "string"},
                        "state_start_time": {"type": "number"},
                        "timestamp": {"type": "number"},
                        "monitoring_tool": {"type": "string"},
                        "ack_msg": {"type": "string"},
                        "ack_author": {"type": "string"},
                    },
                    "additionalProperties": True,
                }
            }
        },
    }
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": AlertSuccess, "description": "Stored (committed) before this answer."},
    400: {"model": AlertFailure, "description": "Not an alert, e.g. no message_type."},
    404: {"description": "Unknown REST endpoint key (answered before the body is read)."},
    413: {"model": AlertFailure, "description": "Body larger than the configured cap."},
}


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def _new_entity_id() -> str:
    return str(uuid.uuid4())


async def receive_alert(
    container: Container, body: bytes, rest_key: str, routing_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Parse, queue for the group commit, wait for the commit: (status, answer)."""
    if routing_key is not None and len(routing_key) > MAX_ROUTING_KEY:
        return 400, {
            "result": "failure",
            "message": f"Invalid routing key: longer than {MAX_ROUTING_KEY} characters",
        }
    try:
        data = parse_body(body)
    except PayloadError as exc:
        return 400, {"result": "failure", "message": exc.message}
    submission = Submission(
        key_hash=hash_secret(rest_key),
        source=AlertSource.REST,
        routing_key=routing_key or None,
        fields=with_entity_id(data, _new_entity_id),
        raw=body.decode("utf-8", errors="replace"),
        received_at=container.clock.now(),
    )
    result = await writer_for(container).store(submission)
    if result is None:
        return 404, {"error": "Not found", "message": "Not found"}
    return 200, {"result": "success", "entity_id": result.entity_id}


class AlertEndpoint:
    """The same endpoint as a bare ASGI app, for the hot path: FastAPI's request plumbing
    (Request object, parameter solving, response wrapping) costs more than parsing the
    alert, and this path sees thousands of calls a second. The decorated routes below
    document it in the OpenAPI schema; this one is registered first, so it serves."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        container: Container = scope["app"].state.container
        params = scope["path_params"]
        # The body-limit layer (api/body_limits.py) has checked the key and capped the body.
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        status, answer = await receive_alert(
            container, b"".join(chunks), params["rest_key"], params.get("routing_key")
        )
        payload = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


async def _receive(request: Request, rest_key: str, routing_key: str | None) -> Response:
    status, answer = await receive_alert(
        get_container(request), await request.body(), rest_key, routing_key
    )
    return _json(answer, status)


_fast = AlertEndpoint()
router.routes.append(Route(f"{BASE}/{{rest_key}}/{{routing_key}}", _fast, methods=["POST"]))
router.routes.append(Route(f"{BASE}/{{rest_key}}", _fast, methods=["POST"]))
# Senders that join a base URL, the key and an empty routing key end in a slash; answer
# there directly instead of redirecting a POST.
router.routes.append(Route(f"{BASE}/{{rest_key}}/", _fast, methods=["POST"]))


@router.post(f"{BASE}/{{rest_key}}/{{routing_key}}", responses=_RESPONSES, openapi_extra=_BODY_DOC)
async def post_alert(rest_key: str, routing_key: str, request: Request) -> Response:
    """Send an alert, routed by the routing key (unknown keys use the default one)."""
    return await _receive(request, rest_key, routing_key)


@router.post(f"{BASE}/{{rest_key}}", responses=_RESPONSES, openapi_extra=_BODY_DOC)
async def post_alert_default(rest_key: str, request: Request) -> Response:
    """Send an alert to the organization's default routing key."""
    return await _receive(request, rest_key, None)
