"""A dictionary in front of the route list for paths without parameters.

Starlette tries every route's regular expression in order until one matches; with about 150
routes that walk was a fifth of the cost of the cheapest authenticated call. A path with no
parameters (`/api-public/v1/user`, `/api-public/v1/oncall/current`, …) is looked up here
instead, but only where the walk would have chosen the same route: a path that an earlier,
parameterised route also matches is left to the walk, as is anything not found here (so 404,
405 and every other answer of the router stay exactly its own).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send


def _probe(path: str, method: str) -> Scope:
    return {"type": "http", "path": path, "root_path": "", "method": method}


def _first_full_match(routes: list[BaseRoute], path: str, method: str) -> BaseRoute | None:
    for route in routes:
        match, _ = route.matches(_probe(path, method))
        if match == Match.FULL:
            return route
    return None


class StaticPathDispatch:
    """Wraps a router's middleware stack; built on the first request, when all routes exist."""

    def __init__(self, router: Router, app: ASGIApp) -> None:
        self.router = router
        self.app = app
        self._index: dict[tuple[str, str], BaseRoute] | None = None
        self._routes_seen = -1

    def _build(self) -> dict[tuple[str, str], BaseRoute]:
        routes = list(self.router.routes)
        index: dict[tuple[str, str], BaseRoute] = {}
        for route in routes:
            if not isinstance(route, Route) or route.param_convertors or not route.methods:
                continue
            for method in route.methods:
                # The route the walk would pick for this exact request, whichever it is.
                if _first_full_match(routes, route.path, method) is route:
                    index.setdefault((method, route.path), route)
        self._routes_seen = len(routes)
        return index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        if self._index is None or self._routes_seen != len(self.router.routes):
            self._index = self._build()
        route = self._index.get((scope["method"], scope["path"]))
        if route is None:
            await self.app(scope, receive, send)
            return
        match, child_scope = route.matches(scope)
        if match != Match.FULL:  # cannot happen for an indexed route; stay safe anyway
            await self.app(scope, receive, send)
            return
        scope.setdefault("router", self.router)
        scope.update(child_scope)
        await route.handle(scope, receive, send)


def install_static_dispatch(router: Router) -> None:
    router.middleware_stack = StaticPathDispatch(router, router.middleware_stack)
