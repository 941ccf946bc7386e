"""create_app(container) → FastAPI: routers, error handlers and background work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI

from openoncall import __version__
from openoncall.api.body_limits import BodyLimits
from openoncall.api.docs import install_openapi_security
from openoncall.api.errors import install_error_handlers
from openoncall.api.metrics import MetricsMiddleware
from openoncall.api.public import include_routers
from openoncall.api.security_headers import SecurityHeaders
from openoncall.api.static_routes import install_static_dispatch
from openoncall.auth.usage import UsageFlusher
from openoncall.container import Container
from openoncall.web.app import install_web

DESCRIPTION = """
OpenOnCall speaks the Splunk On-Call (VictorOps) public API. Authenticate every call with
the `X-VO-Api-Id` and `X-VO-Api-Key` headers: press **Authorize**, fill in both, then use
**Try it out** on any operation. Extensions beyond the vendor API live under `/api-ext/v1`.
"""


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        flusher = UsageFlusher(
            container.usage, container.sessions, container.settings.usage_flush_seconds
        )
        flusher.start()
        # The limiter belongs to the running event loop, so it is sized here.
        to_thread.current_default_thread_limiter().total_tokens = container.settings.threadpool_size
        for start in container.on_start:
            start()
        try:
            yield
        finally:
            for stop in reversed(container.on_stop):
                stop()
            flusher.stop()

    app = FastAPI(
        title="OpenOnCall API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api-docs/openapi.json",
        lifespan=lifespan,
    )
    app.state.container = container
    install_error_handlers(app)
    include_routers(app)
    install_web(app)
    install_openapi_security(app)
    install_static_dispatch(app.router)
    # Authenticates and caps request bodies before any route reads them.
    app.add_middleware(BodyLimits)
    # Every HTML answer gets the CSP and the no-cache/no-frame headers, error pages too.
    app.add_middleware(SecurityHeaders)
    # Outermost, so it times and counts every response, errors and 404s included.
    app.add_middleware(MetricsMiddleware, container=container)
    return app
