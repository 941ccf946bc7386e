"""The REST alert endpoint: POST /integrations/generic/20131114/alert/{restKey}[/{routingKey}].

Authenticated by the organization's REST endpoint key in the URL (not the API headers), and
never rate-limited: monitoring tools must always get their alerts in. An `async` endpoint on
purpose: it only parses and waits for the group-commit writer, so no thread is held per alert.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from openoncall.alerts.ingest import Submission
from openoncall.alerts.models import AlertSource
from openoncall.alerts.payload import PayloadError, parse_body, with_entity_id
from openoncall.alerts.schemas import AlertFailure, AlertSuccess
from openoncall.alerts.writer import writer_for
from openoncall.auth.deps import get_container
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
    404: {"description": "Unknown REST endpoint key."},
}


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


async def _receive(request: Request, rest_key: str, routing_key: str | None) -> Response:
    container = get_container(request)
    body = await request.body()
    try:
        data = parse_body(body)
    except PayloadError as exc:
        return _json({"result": "failure", "message": exc.message}, 400)
    submission = Submission(
        key_hash=hash_secret(rest_key),
        source=AlertSource.REST,
        routing_key=routing_key or None,
        fields=with_entity_id(data, str(uuid.uuid4())),
        raw=body.decode("utf-8", errors="replace"),
        received_at=container.clock.now(),
    )
    result = await asyncio.wrap_future(writer_for(container).submit(submission))
    if result is None:
        return _json({"error": "Not found"}, 404)
    return _json({"result": "success", "entity_id": result.entity_id}, 200)


@router.post(f"{BASE}/{{rest_key}}/{{routing_key}}", responses=_RESPONSES, openapi_extra=_BODY_DOC)
async def post_alert(rest_key: str, routing_key: str, request: Request) -> Response:
    """Send an alert, routed by the routing key (unknown keys use the default one)."""
    return await _receive(request, rest_key, routing_key)


@router.post(f"{BASE}/{{rest_key}}", responses=_RESPONSES, openapi_extra=_BODY_DOC)
async def post_alert_default(rest_key: str, request: Request) -> Response:
    """Send an alert to the organization's default routing key."""
    return await _receive(request, rest_key, None)
