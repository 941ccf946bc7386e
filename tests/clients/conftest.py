"""Real clients talk to a live server, the one the API tests use."""

from tests.api.conftest import live_server

__all__ = ["live_server"]
