"""Fixtures shared by the API tests: a live uvicorn server for real-concurrency tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from openoncall.app import create_app
from openoncall.container import Container


@dataclass(frozen=True)
class LiveServer:
    base_url: str


@pytest.fixture
def live_server(container: Container) -> Iterator[LiveServer]:
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)
