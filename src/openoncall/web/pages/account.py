"""Sign-in, sign-out, password change and the set-password (invitation) links."""

from __future__ import annotations

import hashlib
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
    throttle = get_container(request).login_throttle
    try:
        # Throttled per client address and per account before any hash is computed
        # (auth/login_throttle.py); only misses count.
        attempt = throttle.check(
            _address(request), _account(org_row.api_id if org_row else f"?{org}", username)
        )
        try:
            user = signin.authenticate_password(session, org_row, username, password)
        except OnCallError:
            throttle.failed(attempt)
            raise
    except OnCallError as exc:
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "ask_org": count_orgs(session) > 1,
                "username": username,
                "error": _too_many(exc) if isinstance(exc, RateLimited) else exc.message,
            },
            status_code=429 if isinstance(exc, RateLimited) else 401,
            headers=_retry_after(exc),
        )
    token = signin.start_session(session, user, now=now)
    return _signed_in(request, redirect(request, safe_next(next)), token)


def _address(request: Request) -> str:
    """The client's address (uvicorn puts X-Forwarded-For's there from trusted proxies)."""
    return request.client.host if request.client else "unknown"


def _account(org_key: str, username: str) -> str:
    """Throttle key of an account: hashed, so no username lands in Redis and the form's
    free text cannot make keys of any length."""
    identity = f"{org_key}\x00{normalize_username(username)}"
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


def _too_many(exc: RateLimited) -> str:
    minutes = max(1, round(exc.retry_after_seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-ins: wait {minutes} {unit} and retry"


def _retry_after(exc: OnCallError) -> dict[str, str] | None:
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after_seconds)}
    return None


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
    throttle = get_container(request).login_throttle
    try:
        # The current password is a password check too: throttled like sign-in.
        attempt = throttle.check(
            _address(request), _account(viewer.org.api_id, viewer.user.username)
        )
        try:
            signin.change_password(
                session, viewer.user, current=current, new=password, confirm=confirm, now=now
            )
        except OnCallError as exc:
            if exc.field == "current":
                throttle.failed(attempt)
            raise
    except OnCallError as exc:
        return render(
            request,
            "password.html",
            {"error": _too_many(exc) if isinstance(exc, RateLimited) else exc.message},
            viewer=viewer,
            status_code=429 if isinstance(exc, RateLimited) else 400,
            headers=_retry_after(exc),
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
