"""The importers' tests read their source over HTTP from a live server."""

from tests.api.conftest import live_server

__all__ = ["live_server"]
