"""JSON bodies serialized once, straight to bytes (orjson), and the response that sends them.

Routes that return these skip FastAPI's validate-then-encode pass over their response model
(which still documents the shape in the OpenAPI document).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response, StreamingResponse

# Bodies above this go out in chunks of this size, each sent when the socket has taken the
# last: a client reading 10,000 users slowly then holds one chunk of server memory, not a copy
# of the whole body in its transport's buffer.
CHUNK_BYTES = 64 * 1024


def json_bytes(data: Any) -> bytes:
    """Plain JSON data (dicts, lists, str, int, bool, None) as UTF-8 bytes."""
    return orjson.dumps(data)


def model_bytes(model: BaseModel) -> bytes:
    """A wire model as FastAPI would send it (aliases, every field)."""
    return model.__pydantic_serializer__.to_json(model, by_alias=True)


class JsonBytes(Response):
    """An `application/json` response whose body is already encoded."""

    media_type = "application/json"

    def __init__(self, body: bytes, status_code: int = 200, headers: Any = None) -> None:
        super().__init__(content=body, status_code=status_code, headers=headers)

    @classmethod
    def of(cls, data: Any) -> JsonBytes:
        return cls(json_bytes(data))


async def _chunks(body: bytes) -> AsyncIterator[memoryview]:
    view = memoryview(body)
    for start in range(0, len(view), CHUNK_BYTES):
        yield view[start : start + CHUNK_BYTES]


def json_response(body: bytes) -> Response:
    """`body` as an `application/json` answer; large ones streamed from the one buffer."""
    if len(body) <= 4 * CHUNK_BYTES:
        return JsonBytes(body)
    return StreamingResponse(
        _chunks(body),
        media_type="application/json",
        headers={"content-length": str(len(body))},
    )
