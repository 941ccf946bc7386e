"""Sign-in, sign-out, password change and the set-password (invitation) links."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from openoncall.auth.deps import DbSession, Now, get_container
from openoncall.errors import OnCallError, RateLimited
from openoncall.orgs.service import count_orgs
from openoncall.users.service import normalize_username
from openoncall.web import signin
from openoncall.web.deps import ViewerDep, redirect, render, safe_next, set_cookie, web_router
from openoncall.web.invitations import find_invitation, redeem_invitation

router = web_router()


def _signed_in(request: Request, response: Response, token: str) -> Response:
    container = get_container(request)
    set_cookie(
        request,
        response,
        signin.SESSION_COOKIE,
        signin.sign(container, token),
        max_age=int(signin.SESSION_LIFETIME.total_seconds()),
    )
    response.delete_cookie(signin.ANON_COOKIE, path="/")
    return response


@router.get("/login")
def login_page(request: Request, session: DbSession, next: str = "/") -> Response:
    return render(
        request,
        "login.html",
        {"next": safe_next(next), "ask_org": count_orgs(session) > 1, "username": ""},
    )


@router.post("/login")
def login(
    request: Request,
    *,
    session: DbSession,
    now: Now,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    org: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    org_row = signin.find_org_for_login(session, org or None)
    try:
        # Password guessing is throttled per organization and username (60 a minute at
        # scale 1, shared through Redis when configured), before any hash is computed.
        get_container(request).rate_limiter.hit(
            f"web-login:{org_row.slug if org_row else org}:{normalize_username(username)}",
            "POST",
            "/login",
        )
        user = signin.authenticate_password(session, org_row, username, password)
    except OnCallError as exc:
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "ask_org": count_orgs(session) > 1,
                "username": username,
                "error": "Too many sign-in attempts: wait a minute and retry"
                if isinstance(exc, RateLimited)
                else exc.message,
            },
            status_code=429 if isinstance(exc, RateLimited) else 401,
        )
    token = signin.start_session(session, user, now=now)
    return _signed_in(request, redirect(request, safe_next(next)), token)


@router.post("/logout")
def logout(request: Request, session: DbSession, viewer: ViewerDep) -> Response:
    signin.end_session(session, viewer.session_token)
    response = redirect(request, "/login", flash="You are signed out.")
    response.delete_cookie(signin.SESSION_COOKIE, path="/")
    return response


@router.get("/account/password")
def password_page(request: Request, viewer: ViewerDep) -> Response:
    return render(request, "password.html", {}, viewer=viewer)


@router.post("/account/password")
def change_password(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    current: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        signin.change_password(
            session, viewer.user, current=current, new=password, confirm=confirm, now=now
        )
    except OnCallError as exc:
        return render(
            request, "password.html", {"error": exc.message}, viewer=viewer, status_code=400
        )
    # Changing the password ends every session, this one too; start a fresh one here.
    token = signin.start_session(session, viewer.user, now=now)
    return _signed_in(request, redirect(request, "/", flash="Your password is changed."), token)


@router.get("/set-password/{token}")
def set_password_page(request: Request, session: DbSession, now: Now, token: str) -> Response:
    _invitation, user = find_invitation(session, token, now=now)
    return render(request, "set_password.html", {"token": token, "user": user})


@router.post("/set-password/{token}")
def set_password(
    request: Request,
    *,
    session: DbSession,
    now: Now,
    token: str,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        user = redeem_invitation(session, token, password=password, confirm=confirm, now=now)
    except OnCallError as exc:
        if exc.field == "token":
            raise
        _invitation, user = find_invitation(session, token, now=now)
        return render(
            request,
            "set_password.html",
            {"token": token, "user": user, "error": exc.message},
            status_code=400,
        )
    session_token = signin.start_session(session, user, now=now)
    welcome = redirect(request, "/", flash="Your password is set. Welcome!")
    return _signed_in(request, welcome, session_token)
