"""The single map from errors to HTTP status codes and VictorOps-shaped JSON bodies."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from openoncall import errors

log = logging.getLogger(__name__)

STATUS: dict[type[errors.OnCallError], int] = {
    errors.NotFound: 404,
    errors.AlreadyExists: 422,
    errors.InvalidInput: 400,
    errors.InvalidTransition: 400,
    errors.Conflict: 409,
    errors.Unprocessable: 422,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.RateLimited: 429,
}


def status_for(exc: errors.OnCallError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def message_body(message: str, field: str | None = None) -> dict[str, Any]:
    """`error` is what clients of the live service read; `message` is what clients written
    against its API gateway read (auth failures, throttling): every error carries both."""
    body: dict[str, Any] = {"error": message, "message": message}
    if field:
        body["field"] = field
    return body


def error_body(exc: errors.OnCallError) -> dict[str, Any]:
    if isinstance(exc, errors.RateLimited):
        return {"message": "Too Many Requests"}
    return message_body(exc.message, exc.field)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.OnCallError)
    async def _oncall_error(_request: Request, exc: errors.OnCallError) -> JSONResponse:
        headers = None
        if isinstance(exc, errors.RateLimited):
            headers = {"Retry-After": str(exc.retry_after_seconds)}
        return JSONResponse(error_body(exc), status_code=status_for(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid"}
        field = _field_name(tuple(first.get("loc", ())))
        if first.get("type") == "json_invalid":
            message = "Request body is not valid JSON"
            field = "body"
        elif first.get("type") == "missing":
            message = f"Missing field: {field}"
        else:
            message = f"Invalid value for field '{field}': {first.get('msg', 'invalid')}"
        return JSONResponse(message_body(message, field), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        return JSONResponse(message_body(message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _data_error(_request: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot store (e.g. NUL in PostgreSQL text) is bad input, not a
        # server fault; the request's transaction has already rolled back.
        reason = (
            "text must not contain NUL characters" if "NUL" in str(exc.orig) else "out of range"
        )
        return JSONResponse(message_body(f"Invalid value: {reason}"), status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path}, exc_info=exc)
        return JSONResponse(message_body("Internal Server Error"), status_code=500)
