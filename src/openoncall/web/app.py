"""install_web(app): mounts the web UI's pages and assets on the API application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from openoncall.web import assets
from openoncall.web.pages import (
    account,
    config,
    integrations,
    oncall,
    people,
    reports,
    rotations,
    timeline,
)

PAGE_ROUTERS = [
    account.router,
    config.router,
    integrations.router,
    oncall.router,
    people.router,
    reports.router,
    rotations.router,
    timeline.router,
]


def install_web(app: FastAPI) -> None:
    app.include_router(assets.router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR), name="static")
