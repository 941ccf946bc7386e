"""JSON bodies serialized once, straight to bytes (orjson), and the response that sends them.

Routes that return these skip FastAPI's validate-then-encode pass over their response model
(which still documents the shape in the OpenAPI document).
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response


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
