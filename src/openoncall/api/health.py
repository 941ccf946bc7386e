"""Liveness and readiness probes.

/healthz: the process answers. /readyz: it can do its job, which for a pager means the
database answers, Redis answers (when configured), and some engine has beaten recently: a
`serve --no-engine` whose engines are all down accepts alerts that page nobody, and a load
balancer or orchestrator should hear so.
"""

from __future__ import annotations

from typing import Any

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from openoncall.container import Container
from openoncall.engine import heartbeat
from openoncall.engine.watchdog import oldest_due_age

router = APIRouter(tags=["health"], include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _redis(container: Container) -> redis.Redis[bytes]:
    if container.redis_probe is None:
        assert container.settings.redis_url is not None
        container.redis_probe = redis.Redis.from_url(
            container.settings.redis_url, socket_timeout=2, socket_connect_timeout=2
        )
    return container.redis_probe


def _error(exc: Exception) -> str:
    # The type and a short text; never a URL (it may carry a password).
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def readiness(container: Container) -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    ok = True
    try:
        with container.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready"
        return False, {"status": "unavailable", "error": _error(exc), "database": "unavailable"}
    settings = container.settings
    if settings.redis_url:
        try:
            _redis(container).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            ok = False
            checks["redis"] = "unavailable"
            checks["error"] = _error(exc)
    max_age = settings.ready_engine_max_age_seconds
    if max_age > 0:
        now = container.clock.now()
        with container.sessions.transaction(write=False) as session:
            newest = heartbeat.newest_beat(session)
        age = None if newest is None else max(0.0, (now - newest).total_seconds())
        checks["engineHeartbeatAgeSeconds"] = None if age is None else round(age, 1)
        checks["oldestDueJobAgeSeconds"] = round(oldest_due_age(container.sessions, now), 1)
        if age is None or age > max_age:
            ok = False
            checks["engine"] = "unavailable"
            checks.setdefault(
                "error",
                "no engine has run"
                if age is None
                else f"no engine heartbeat for {round(age)} s (limit {round(max_age)} s)",
            )
        else:
            checks["engine"] = "ok"
    return ok, {"status": "ok" if ok else "unavailable", **checks}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    ok, body = readiness(request.app.state.container)
    return JSONResponse(body, status_code=200 if ok else 503)
