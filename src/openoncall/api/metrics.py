"""Prometheus metrics: requests and latency by operation and status, served at /metrics.

A plain ASGI middleware (not a FastAPI dependency), so it sees every response, including
401/403/429 raised by the auth dependencies and 404s for unknown paths. The operation label is
the route template (`/api-public/v1/user/{user}`), never the raw path: one series per
operation, however many users there are. Paths that match no route share the label
`unmatched`. Each app gets its own registry, so several apps in one process (tests, the
benchmark) never collide in prometheus_client's global one.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openoncall.api.body_limits import ALERT_PREFIX
from openoncall.container import Container
from openoncall.observe.redact import redact_path, redact_query
from openoncall.observe.scrape import scrape_registry

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_ALERT_ROUTES = (f"{ALERT_PREFIX}{{rest_key}}", f"{ALERT_PREFIX}{{rest_key}}/{{routing_key}}")

access_log = logging.getLogger("openoncall.access")
action_log = logging.getLogger("openoncall.api")

# Latency buckets in seconds, dense where an API call should land (1-100 ms).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The request counter and latency histogram of one app."""

    def __init__(self, container: Container | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # What /metrics shows: this app's request metrics, plus (given a container) the
        # process's counters and the database gauges, see observe/scrape.py.
        self.scrape = None if container is None else scrape_registry(container, self.registry)
        labels = ("method", "operation", "status")
        self.requests = Counter(
            "openoncall_http_requests",
            "HTTP requests by operation (route template) and status.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "openoncall_http_request_duration_seconds",
            "HTTP request latency by operation (route template) and status.",
            labels,
            buckets=_BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, operation: str, status: int, seconds: float) -> None:
        status_label = str(status)
        self.requests.labels(method, operation, status_label).inc()
        self.latency.labels(method, operation, status_label).observe(seconds)

    def exposition(self) -> bytes:
        data: bytes = generate_latest(self.registry if self.scrape is None else self.scrape)
        return data


class MetricsMiddleware:
    """Times every HTTP request and answers GET /metrics itself."""

    def __init__(self, app: ASGIApp, container: Container | None = None) -> None:
        self.app = app
        self.metrics = Metrics(container)
        self.access_log = container is not None and container.settings.access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH and scope["method"] in ("GET", "HEAD"):
            await self._serve_metrics(send)
            return
        # perf_counter measures a duration; it is not a reading of the wall clock.
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            seconds = time.perf_counter() - started
            operation = _operation(scope)
            self.metrics.observe(scope["method"], operation, status, seconds)
            state = scope.get("state") or {}
            acted = scope["method"] not in _READS and ("caller" in state or "viewer" in state)
            if self.access_log or acted:
                _log_request(scope, operation, status, seconds, access=self.access_log)

    async def _serve_metrics(self, send: Send) -> None:
        # The database gauges query: off the event loop.
        body = await run_in_threadpool(self.metrics.exposition)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", CONTENT_TYPE_LATEST.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _log_request(
    scope: Scope, operation: str, status: int, seconds: float, *, access: bool
) -> None:
    """The access line (when switched on), and the action line of every change an API key
    or a signed-in user made, which is always written."""
    state: dict[str, Any] = scope.get("state") or {}
    caller = state.get("caller")
    viewer = state.get("viewer")
    template = None if operation == UNMATCHED else operation
    path = redact_path(scope["path"], template, scope.get("path_params"))
    query = redact_query(scope.get("query_string", b"").decode("latin-1"))
    client = scope.get("client")
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": path + (f"?{query}" if query else ""),
        "operation": operation,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "client": client[0] if client else None,
    }
    if caller is not None:
        fields.update(org_id=caller.org_id, api_key_id=caller.api_key_id)
    elif viewer is not None:
        fields.update(org_id=viewer.org.id, user_id=viewer.user.id)
    fields = {k: v for k, v in fields.items() if v is not None}
    line = "%s %s %s %.1fms"
    args = (scope["method"], fields["path"], status, seconds * 1000)
    if access:
        access_log.info(line, *args, extra={"event": "http.request", **fields})
    if (caller is not None or viewer is not None) and scope["method"] not in _READS:
        action_log.info(line, *args, extra={"event": "api.action", **fields})


def _operation(scope: Scope) -> str:
    """The matched route's template; the router writes it into the shared scope dict."""
    route: Any = scope.get("route")
    if route is None and "endpoint" in scope:
        # Plain Starlette routes (the OpenAPI document, mounts) record only their endpoint:
        # find which one matched. Rare, so the scan costs nothing on the API's hot path.
        route = _matching_route(scope)
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if scope["path"].startswith(ALERT_PREFIX):
        # Refused before routing (an unknown endpoint key): still the alert endpoint's series.
        rest = scope["path"][len(ALERT_PREFIX) :].rstrip("/")
        return _ALERT_ROUTES[min(rest.count("/"), 1)]
    return UNMATCHED


def _matching_route(scope: Scope) -> Any:
    app: Any = scope.get("app")
    for route in getattr(getattr(app, "router", None), "routes", ()):
        if getattr(route, "endpoint", None) is scope["endpoint"] or (
            getattr(route, "app", None) is scope["endpoint"]
        ):
            return route
    return None
