"""FastAPI dependencies: the request's session, the authenticated caller, the clock's now.

The only FastAPI glue for auth: every public router is built with `public_router()`, which
authenticates, rate-limits, refuses writes with read-only keys and tallies the call.

The request path costs at most one hop to the threadpool (issue 11). The caller is resolved
on the event loop from the key cache (a miss, once per key and TTL, looks the key up in the
threadpool); a rate-limit hit that needs Redis is made at the start of the endpoint's own
threadpool call, and a known-full operation is refused from memory. The session is created
on the event loop without touching the database (its connection is taken on first use), and
a plain `def` endpoint commits or rolls it back at the end of its own threadpool call
(`OneHopRoute`), so the transaction still ends before the response is sent (ADR 0002)
without a second and third hop to begin and end it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session

from openoncall.api.responses import JsonBytes
from openoncall.auth.api_keys import SAFE_METHODS, Caller, authenticate, cached_caller
from openoncall.container import Container

API_ID_HEADER = "X-VO-Api-Id"
API_KEY_HEADER = "X-VO-Api-Key"
# What the OpenAPI document says of every public operation: both headers, together.
SECURITY_SCHEMES: dict[str, Any] = {
    name: {"type": "apiKey", "in": "header", "name": name}
    for name in (API_ID_HEADER, API_KEY_HEADER)
}
SECURITY_REQUIREMENT: list[dict[str, list[str]]] = [{API_ID_HEADER: [], API_KEY_HEADER: []}]

# The request's session, for the endpoint wrapper that ends its transaction. Each request runs
# in its own task, hence its own context; the threadpool call inherits a copy of it.
_request_session: ContextVar[Session | None] = ContextVar("openoncall_session", default=None)
# A rate-limit hit that needs Redis, left by get_caller for the endpoint's own threadpool call.
_pending_hit: ContextVar[Callable[[], None] | None] = ContextVar(
    "openoncall_pending_hit", default=None
)


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def _container_dependency(request: Request) -> Container:
    # async: a trivial dependency is cheaper on the event loop than a hop to the threadpool.
    return get_container(request)


ContainerDep = Annotated[Container, Depends(_container_dependency)]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, else rolled back.

    `OneHopRoute` ends the transaction inside the endpoint's threadpool call; whatever is
    still open here (an async endpoint, a route of another class) is ended in the threadpool.
    """
    sessions = get_container(request).sessions
    write = request.method.upper() not in SAFE_METHODS
    session = (sessions.write if write else sessions.read)()
    session.begin()  # no I/O: the connection is taken when the first statement runs
    _request_session.set(session)
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(session.rollback)
        raise
    else:
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    finally:
        _request_session.set(None)
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]


def _end_transaction(commit: bool) -> None:
    session = _request_session.get()
    if session is None or not session.in_transaction():
        return
    if commit:
        session.commit()
    else:
        session.rollback()


Encoder = Callable[[Any], Response | None]


def _ending_the_transaction(endpoint: Callable[..., Any], encode: Encoder) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            hit = _pending_hit.get()
            if hit is not None:
                hit()  # may raise RateLimited: then nothing of the endpoint runs
            result = endpoint(*args, **kwargs)
        except BaseException:
            _end_transaction(commit=False)
            raise
        _end_transaction(commit=True)
        return encode(result) or result

    return run


def _encoder(route_kwargs: dict[str, Any]) -> Encoder:
    """For a route declaring a model and nothing that reshapes it: the returned instance of
    exactly that model, encoded once, here, as FastAPI would send it (no dump, re-validation
    and re-encoding on the event loop). Anything else is left to FastAPI (None)."""
    model = route_kwargs.get("response_model")
    reshaped = any(
        route_kwargs.get(f"response_model_{k}")
        for k in ("include", "exclude", "exclude_unset", "exclude_defaults")
    )
    if (
        not isinstance(model, type)
        or not issubclass(model, BaseModel)
        or reshaped
        or route_kwargs.get("status_code") not in (None, 200)
    ):
        return lambda _result: None
    exclude_none = bool(route_kwargs.get("response_model_exclude_none"))
    serializer = model.__pydantic_serializer__

    def encode(result: Any) -> Response | None:
        if type(result) is not model:
            return None
        return JsonBytes(serializer.to_json(result, by_alias=True, exclude_none=exclude_none))

    return encode


class OneHopRoute(APIRoute):
    """A route whose plain `def` endpoint ends the request's transaction in its own thread
    (and encodes its answer there when FastAPI would only re-check it)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # The auth headers are read by get_caller itself (a Security dependency per header
        # cost two more dependency solves per request), so the document is told here.
        kwargs["openapi_extra"] = {
            "security": SECURITY_REQUIREMENT,
            **(kwargs.get("openapi_extra") or {}),
        }
        # A plain `def` endpoint's threadpool call also makes the rate limiter's Redis hit.
        self.hits_in_endpoint_thread = not inspect.iscoroutinefunction(endpoint)
        if self.hits_in_endpoint_thread:
            endpoint = _ending_the_transaction(endpoint, _encoder(kwargs))
        super().__init__(path, endpoint, **kwargs)


async def get_now(request: Request) -> datetime:
    return get_container(request).clock.now()


Now = Annotated[datetime, Depends(get_now)]


async def get_caller(request: Request) -> Caller:
    headers = request.headers
    api_id = headers.get(API_ID_HEADER) or None
    api_key = headers.get(API_KEY_HEADER) or None
    container = get_container(request)
    method = request.method
    caller = cached_caller(container.engine, api_id, api_key, method)
    if caller is None:
        caller = await run_in_threadpool(_look_up_caller, container, api_id, api_key, method)
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    limiter = container.rate_limiter
    limiter.refuse_if_known_full(caller.api_id, method, path)  # from memory
    if not limiter.is_shared:
        limiter.hit(caller.api_id, method, path)  # in memory: microseconds
    elif limiter.is_counted(method, path):
        # Redis answers over the network: never block the event loop on it, and spend no
        # thread hop of its own where the endpoint makes one anyway.
        hit = functools.partial(limiter.hit, caller.api_id, method, path)
        if getattr(route, "hits_in_endpoint_thread", False):
            _pending_hit.set(hit)
        else:
            await run_in_threadpool(hit)
    container.usage.record(caller.api_key_id, container.clock.now())
    # For the request's log lines (api/metrics.py): which org and key acted.
    request.state.caller = caller
    return caller


def _look_up_caller(
    container: Container, api_id: str | None, api_key: str | None, method: str
) -> Caller:
    with container.sessions.transaction(write=False) as session:
        return authenticate(session, api_id, api_key, method)


CallerDep = Annotated[Caller, Depends(get_caller)]


def public_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose every route requires X-VO-Api-Id/X-VO-Api-Key."""
    dependencies = [Depends(get_caller), *kwargs.pop("dependencies", [])]
    return APIRouter(dependencies=dependencies, route_class=OneHopRoute, **kwargs)
