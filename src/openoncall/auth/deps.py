"""FastAPI dependencies: the request's session, the authenticated caller, the clock's now.

The only FastAPI glue for auth: every public router is built with `public_router()`, which
authenticates, rate-limits, refuses writes with read-only keys and tallies the call.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from openoncall.auth.api_keys import SAFE_METHODS, Caller, authenticate
from openoncall.container import Container

_api_id_header = APIKeyHeader(name="X-VO-Api-Id", scheme_name="X-VO-Api-Id", auto_error=False)
_api_key_header = APIKeyHeader(name="X-VO-Api-Key", scheme_name="X-VO-Api-Key", auto_error=False)


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def _container_dependency(request: Request) -> Container:
    # async: a trivial dependency is cheaper on the event loop than a hop to the threadpool.
    return get_container(request)


ContainerDep = Annotated[Container, Depends(_container_dependency)]


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, else rolled back."""
    container = get_container(request)
    write = request.method.upper() not in SAFE_METHODS
    with container.sessions.transaction(write=write) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session, scope="function")]


async def get_now(request: Request) -> datetime:
    return get_container(request).clock.now()


Now = Annotated[datetime, Depends(get_now)]


def get_caller(
    request: Request,
    session: DbSession,
    api_id: Annotated[str | None, Security(_api_id_header)],
    api_key: Annotated[str | None, Security(_api_key_header)],
) -> Caller:
    container = get_container(request)
    caller = authenticate(session, api_id, api_key, request.method)
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    container.rate_limiter.hit(caller.api_id, request.method, path)
    container.usage.record(caller.api_key_id, container.clock.now())
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def public_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose every route requires X-VO-Api-Id/X-VO-Api-Key."""
    dependencies = [Depends(get_caller), *kwargs.pop("dependencies", [])]
    return APIRouter(dependencies=dependencies, **kwargs)
