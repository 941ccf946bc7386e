"""Mounts every domain router at its VictorOps path."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from openoncall.api.docs import router as docs_router
from openoncall.api.health import router as health_router
from openoncall.paging_policies.router import router as paging_policies_router
from openoncall.policies.router import router as policies_router

# Each domain adds its router(s) here; order does not matter (paths never overlap).
ROUTERS: list[APIRouter] = [
    docs_router,
    health_router,
    paging_policies_router,
    policies_router,
]


def include_routers(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
