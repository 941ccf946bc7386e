"""The blocking endpoints' threadpool is sized by OPENONCALL_THREADPOOL_SIZE."""

from __future__ import annotations

from anyio import to_thread
from fastapi.testclient import TestClient

from openoncall.app import create_app
from openoncall.container import Container, build_container
from openoncall.settings import Settings


async def _tokens() -> float:
    return to_thread.current_default_thread_limiter().total_tokens


def test_the_threadpool_has_the_configured_size_when_the_app_runs(container: Container) -> None:
    settings = Settings(database_url=container.settings.database_url, threadpool_size=3)
    app = create_app(build_container(settings, clock=container.clock, engine=container.engine))
    with TestClient(app) as client:
        assert client.portal is not None
        assert client.portal.call(_tokens) == 3
