"""Integrations → API (API ID, keys, New Key, revoke) and Integrations → REST endpoint."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, Request
from fastapi.responses import Response

from openoncall.auth.deps import DbSession, Now, get_container
from openoncall.auth.permissions import Action
from openoncall.errors import Forbidden
from openoncall.orgs import service as orgs
from openoncall.web.deps import ViewerDep, redirect, render, require_may, web_router
from openoncall.web.queries import api_key_rows

router = web_router()

ALERT_PATH = "/integrations/generic/20131114/alert"


@router.get("/integrations")
def integrations_index(request: Request, _viewer: ViewerDep) -> Response:
    return redirect(request, "/integrations/api")


def _api_page(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    new_key: orgs.NewApiKey | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "integrations_api.html",
        {
            "keys": api_key_rows(session, viewer.org.id, now),
            "new_key": new_key,
            "error": error,
            "today": now.date(),
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/integrations/api")
def api_page(request: Request, session: DbSession, viewer: ViewerDep, now: Now) -> Response:
    return _api_page(request, session=session, viewer=viewer, now=now)


@router.post("/integrations/api/keys")
def create_key(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    label: Annotated[str, Form(max_length=255)] = "",
    read_only: Annotated[bool, Form()] = False,
) -> Response:
    # The service refuses non-admins too; checking here first keeps the answer a clear 403.
    if not viewer.is_admin:
        raise Forbidden("Only admins can create API keys")
    new_key = orgs.create_api_key(
        session,
        viewer.org.id,
        created_by=viewer.user,
        label=label.strip(),
        is_read_only=read_only,
        now=now,
    )
    # The secret is shown once, on the page this redirects to (a refresh there makes no
    # second key); it is stored only as a hash.
    shown = {
        "label": new_key.label,
        "is_read_only": new_key.is_read_only,
        "api_key": new_key.api_key,
    }
    return redirect(request, "/integrations/api#new-key", reveal={"new_key": shown})


@router.post("/integrations/api/keys/{key_id}/revoke")
def revoke_key(
    request: Request, session: DbSession, viewer: ViewerDep, now: Now, key_id: str
) -> Response:
    key = orgs.revoke_api_key(session, viewer.org.id, key_id, by=viewer.user, now=now)
    label = f"“{key.label}”" if key.label else key.public_id
    return redirect(request, "/integrations/api", flash=f"API key {label} is revoked.")


def _rest_page(
    request: Request,
    viewer: ViewerDep,
    *,
    rest_key: str | None = None,
    email_key: str | None = None,
    status_code: int = 200,
) -> Response:
    container = get_container(request)
    base = container.settings.base_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    return render(
        request,
        "integrations_rest.html",
        {
            "alert_base": base + ALERT_PATH,
            "email_domain": host,
            "rest_key": rest_key,
            "email_key": email_key,
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/integrations/rest")
def rest_page(request: Request, viewer: ViewerDep) -> Response:
    return _rest_page(request, viewer)


@router.post("/integrations/rest/regenerate")
def regenerate(request: Request, viewer: ViewerDep) -> Response:
    require_may(viewer, Action.MANAGE_ALERTING)
    rest_key, email_key = orgs.regenerate_endpoint_keys(viewer.org)
    # Shown once on the page this redirects to: a refresh there regenerates nothing.
    return redirect(
        request, "/integrations/rest", reveal={"rest_key": rest_key, "email_key": email_key}
    )
