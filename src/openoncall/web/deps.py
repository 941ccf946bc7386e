"""The web UI's FastAPI glue: templates, the signed-in viewer, CSRF checks, HTML error pages.

Web routes use `web_router()`: every non-GET request must carry the CSRF token (form field
`csrf_token` or header `X-CSRF-Token`, which htmx sends from the body's hx-headers), and any
OnCallError a service raises becomes an HTML page with the same status the API would use.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from openoncall import errors
from openoncall.api.errors import status_for
from openoncall.auth.api_keys import SAFE_METHODS
from openoncall.auth.deps import DbSession, get_container
from openoncall.auth.passwords import MIN_PASSWORD_LENGTH
from openoncall.auth.permissions import NOTHING, Action, Target, require
from openoncall.container import Container
from openoncall.ids import new_secret
from openoncall.teams.service import get_team
from openoncall.web import signin
from openoncall.web.signin import Viewer

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals["min_password_length"] = MIN_PASSWORD_LENGTH
FLASH_COOKIE = "oo_flash"
# A secret shown once after a POST that made it (an API key, endpoint keys): the POST
# redirects (a refresh must not make a second one) and the page after reads it from here.
REVEAL_COOKIE = "oo_reveal"
# Sent by app.js when it submits a form itself: redirects become 204 + HX-Redirect and errors
# a fragment naming the field, so the page (and what was typed) stays.
FORM_HEADER = "X-OpenOnCall-Form"


def _fmt_dt(value: datetime | None) -> str:
    """UTC in the page; the browser rewrites <time> elements into the reader's local time."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M UTC")


TEMPLATES.env.filters["dt"] = _fmt_dt
TEMPLATES.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, sort_keys=True)
TEMPLATES.env.globals["Action"] = Action
TEMPLATES.env.globals["Target"] = lambda teams=(), user_id=None: Target(frozenset(teams), user_id)


class LoginRequired(Exception):
    """Raised by the viewer dependency; turned into a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def get_viewer(request: Request, session: DbSession) -> Viewer:
    container = get_container(request)
    token = signin.unsign(container, request.cookies.get(signin.SESSION_COOKIE))
    viewer = None
    if token is not None:
        viewer = signin.load_viewer(session, token, now=container.clock.now())
    if viewer is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise LoginRequired(path)
    request.state.viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def csrf_bound_token(request: Request, container: Container) -> str | None:
    """The cookie token a CSRF token is derived from: the session's, else the anonymous one."""
    token = signin.unsign(container, request.cookies.get(signin.SESSION_COOKIE))
    if token is None:
        token = signin.unsign(container, request.cookies.get(signin.ANON_COOKIE))
    return token


async def require_csrf(request: Request) -> None:
    if request.method.upper() in SAFE_METHODS:
        return
    container = get_container(request)
    presented = request.headers.get("X-CSRF-Token")
    if presented is None:
        form = await request.form()
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else None
    if not signin.csrf_valid(container, csrf_bound_token(request, container), presented):
        raise errors.Forbidden(
            "The form's security token is missing or out of date: reload the page and retry",
            field="csrf_token",
        )


class WebRoute(APIRoute):
    """Renders service errors as HTML (status as in the API) instead of JSON bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                return login_redirect(request, exc.next_path)
            except errors.OnCallError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                # A form field missing or malformed: the same 400 as the API, as a page.
                first = exc.errors()[0] if exc.errors() else {}
                loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
                field = ".".join(loc) or "form"
                message = f"Invalid value for {field}: {first.get('msg', 'invalid')}"
                return error_page(request, errors.InvalidInput(message, field=field))

        return route


def web_router() -> APIRouter:
    return APIRouter(
        route_class=WebRoute,
        include_in_schema=False,
        dependencies=[Depends(require_csrf)],
        default_response_class=HTMLResponse,
    )


def login_redirect(request: Request, next_path: str) -> Response:
    target = "/login?next=" + quote(next_path, safe="")
    if request.headers.get("HX-Request"):
        # htmx follows HX-Redirect with a full page load, not a fragment swap.
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, exc: errors.OnCallError) -> Response:
    status = status_for(exc)
    viewer = getattr(request.state, "viewer", None)
    fragment = request.headers.get("HX-Request") or request.headers.get(FORM_HEADER)
    template = "_error_fragment.html" if fragment else "error.html"
    return render(
        request,
        template,
        {"message": exc.message, "field": exc.field, "status": status},
        viewer=viewer,
        status_code=status,
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    viewer: Viewer | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A template with the viewer, CSRF token, flash message and current path filled in."""
    container = get_container(request)
    ctx: dict[str, Any] = dict(context or {})
    new_anon = None
    bound = csrf_bound_token(request, container)
    if viewer is not None:
        bound = viewer.session_token
    elif bound is None:
        new_anon = new_secret(24)
        bound = new_anon
    flash = signin.unsign(container, request.cookies.get(FLASH_COOKIE))
    revealed = signin.unsign(container, request.cookies.get(REVEAL_COOKIE))
    if revealed is not None and "reveal" not in ctx:
        ctx["reveal"] = json.loads(revealed)
    ctx.update(
        viewer=viewer,
        csrf_token=signin.csrf_token(container, bound),
        flash=flash,
        path=request.url.path,
        base_url=container.settings.base_url.rstrip("/"),
        now=container.clock.now(),
    )
    response = TEMPLATES.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
    if new_anon is not None:
        set_cookie(request, response, signin.ANON_COOKIE, signin.sign(container, new_anon))
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    if revealed is not None:
        response.delete_cookie(REVEAL_COOKIE, path="/")
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    container = get_container(request)
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=container.settings.base_url.startswith("https://"),
    )


# Characters kept as they are in a redirect target (Starlette's RedirectResponse set): URL
# syntax and existing %-escapes. Everything else (CR, LF, spaces, non-ASCII, backslashes) is
# percent-encoded, so a target built from form input can neither add a header nor fail.
_URL_SAFE = ":/%#?=@[]!$&'()*+,;~"


def redirect(
    request: Request, url: str, flash: str | None = None, reveal: dict[str, Any] | None = None
) -> Response:
    """Post/redirect/get, with an optional one-time message for the next page, and secrets
    (`reveal`, as the template's `reveal`) that page shows once."""
    url = quote(url, safe=_URL_SAFE)
    if request.headers.get("HX-Request") or request.headers.get(FORM_HEADER):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        container = get_container(request)
        set_cookie(request, response, FLASH_COOKIE, signin.sign(container, flash), max_age=60)
    if reveal:
        container = get_container(request)
        value = signin.sign(container, json.dumps(reveal))
        set_cookie(request, response, REVEAL_COOKIE, value, max_age=60)
    return response


def safe_next(next_path: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would help phishing."""
    if next_path and next_path.startswith("/") and not next_path.startswith(("//", "/\\")):
        return next_path
    return "/"


def require_may(viewer: Viewer, action: Action, target: Target = NOTHING) -> None:
    """403 (an HTML page) unless the signed-in user's role allows the action."""
    require(viewer.actor, action, target)


def team_target(session: Session, viewer: Viewer, team_slug: str) -> Target:
    """The team by slug as a permission target (404 when it is not the viewer's org's)."""
    return Target(teams=frozenset({get_team(session, viewer.org.id, team_slug).id}))


def require_team_admin(session: Session, viewer: Viewer, team_slug: str) -> None:
    """403 unless the viewer is a global admin or an admin of this team."""
    require_may(viewer, Action.MANAGE_TEAM, team_target(session, viewer, team_slug))
