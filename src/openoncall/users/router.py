"""Users endpoints: /api-public/v1/user…, /api-public/v2/user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from openoncall.api.paging import PageDep
from openoncall.api.responses import json_bytes, json_response
from openoncall.audit.actor import audit_actor
from openoncall.auth.deps import CallerDep, ContainerDep, DbSession, Now, public_router
from openoncall.container import Container
from openoncall.invitations.service import check_expiration_hours, queue_invitation_email
from openoncall.list_window import Page
from openoncall.teams.schemas import SimpleTeamDetail, UserTeams
from openoncall.teams.service import list_user_teams
from openoncall.users import service
from openoncall.users.list_cache import UserListCache
from openoncall.users.roles import Role
from openoncall.users.schemas import (
    BatchAddUserEntry,
    BatchAddUsersResponse,
    BatchUserError,
    BatchUsers,
    Empty,
    ReplacementStrategy,
    UserCreate,
    UserDelete,
    UserListV1,
    UserListV2,
    UserRead,
    UserRole,
    UserUpdate,
    user_url,
    user_wire,
)

router = public_router(tags=["Users"])

V1 = "/api-public/v1/user"


def _list_cache(container: Container) -> UserListCache:
    cache: UserListCache = container.user_lists
    return cache


def _users(
    session: Session, org_id: int, *, page: Page, email: str | None = None
) -> list[dict[str, Any]]:
    rows = service.list_user_columns(session, org_id, email=email, page=page)
    return [user_wire(row) for row in rows]


def _v1_body(session: Session, org_id: int, page: Page) -> bytes:
    return json_bytes({"users": [_users(session, org_id, page=page)], "_selfUrl": V1})


# The lists are encoded straight from column rows; response_model still documents them. The
# whole lists (no filter, no page) are served from the version-checked cache.
@router.get(V1, response_model=UserListV1)
def list_users_v1(
    session: DbSession, caller: CallerDep, container: ContainerDep, page: PageDep
) -> Response:
    """List users (the live service nests the list in a second array)."""
    if not page.is_whole:
        return json_response(_v1_body(session, caller.org_id, page))
    cache = _list_cache(container)
    return json_response(
        cache.body(session, caller.org_id, "v1", lambda: _v1_body(session, caller.org_id, page))
    )


@router.get("/api-public/v2/user", response_model=UserListV2)
def list_users_v2(
    session: DbSession,
    caller: CallerDep,
    container: ContainerDep,
    page: PageDep,
    email: Annotated[str | None, Query()] = None,
) -> Response:
    """List users, optionally only those with the given email address."""

    def encode() -> bytes:
        return json_bytes({"users": _users(session, caller.org_id, page=page, email=email)})

    if email is not None or not page.is_whole:
        return json_response(encode())
    return json_response(_list_cache(container).body(session, caller.org_id, "v2", encode))


@router.post(V1, response_model=UserRead)
def add_user(
    session: DbSession, caller: CallerDep, container: ContainerDep, now: Now, body: UserCreate
) -> UserRead:
    """Add a user; they get the Default email contact method and the default paging policy.

    With SMTP configured they are emailed a link to set their password, valid for
    `expirationHours` (24 when absent).
    """
    hours = check_expiration_hours(body.expiration_hours)
    user = service.create_user(
        session,
        caller.org_id,
        username=body.username,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        now=now,
    )
    if container.settings.smtp_url is not None:
        queue_invitation_email(session, caller.org_id, user.id, expiration_hours=hours, now=now)
    return UserRead.of(user)


@router.post(f"{V1}/batch", response_model=BatchAddUsersResponse)
def add_users(
    session: DbSession,
    caller: CallerDep,
    container: ContainerDep,
    now: Now,
    body: BatchUsers,
) -> BatchAddUsersResponse:
    """Add up to 50 users, sent as an array or as `{"users": [...]}`; each entry reports its
    own errors. With SMTP configured each new user is emailed a link to set their password
    (valid 24 hours)."""
    entries = [
        service.NewUser(
            username=e.username, first_name=e.first_name, last_name=e.last_name, email=e.email
        )
        for e in body.root
    ]
    results = service.create_users(session, caller.org_id, entries, now=now)
    if container.settings.smtp_url is not None:
        for r in results:
            created = None if r.errors else service.find_user(session, caller.org_id, r.username)
            if created is not None:
                queue_invitation_email(
                    session, caller.org_id, created.id, expiration_hours=None, now=now
                )
    return BatchAddUsersResponse(
        users=[
            BatchAddUserEntry(
                username=r.username,
                self_url=user_url(r.username),
                errors=[BatchUserError(code=code, message=msg) for code, msg in r.errors],
            )
            for r in results
        ]
    )


@router.get(f"{V1}/{{user}}", response_model=UserRead)
def get_user(session: DbSession, caller: CallerDep, user: str) -> UserRead:
    """Retrieve information for a user."""
    return UserRead.of(service.get_user(session, caller.org_id, user))


@router.put(f"{V1}/{{user}}", response_model=UserRead)
def update_user(session: DbSession, caller: CallerDep, user: str, body: UserUpdate) -> UserRead:
    """Update a user's names, email and username; fields left out keep their values."""
    updated = service.update_user(
        session,
        caller.org_id,
        user,
        new_username=body.username,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
    )
    return UserRead.of(updated)


ROLE = "/api-ext/v1/user/{user}/role"


@router.get(ROLE, response_model=UserRole)
def get_user_role(session: DbSession, caller: CallerDep, user: str) -> UserRole:
    """Extension: a user's global role (global_admin, alert_admin, user or stakeholder)."""
    found = service.get_user(session, caller.org_id, user)
    return UserRole(username=found.username, role=Role(found.role))


@router.put(ROLE, response_model=UserRole)
def set_user_role(
    session: DbSession, caller: CallerDep, now: Now, user: str, body: UserRole
) -> UserRole:
    """Extension: change a user's global role; the organization keeps a global admin (422)."""
    changed = service.set_role(
        session,
        caller.org_id,
        user,
        body.role,
        by=None,  # API keys act for the whole organization (docs/roles.md)
        actor=audit_actor(session, caller),
        now=now,
    )
    return UserRole(username=changed.username, role=Role(changed.role))


@router.delete(f"{V1}/{{user}}", response_model=Empty)
def delete_user(
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    user: str,
    body: Annotated[UserDelete | None, Body()] = None,
    replacement: Annotated[str | None, Query(max_length=64)] = None,
    replacement_strategy: Annotated[
        ReplacementStrategy | None, Query(alias="replacementStrategy")
    ] = None,
) -> Empty:
    """Remove a user; the replacement takes over their rotations and escalation entries.
    `replacement` comes in the JSON body or the query string (the body wins)."""
    payload = body or UserDelete()
    strategy = (
        payload.replacement_strategy
        if "replacement_strategy" in payload.model_fields_set
        else replacement_strategy or payload.replacement_strategy
    )
    service.delete_user(
        session,
        caller.org_id,
        user,
        replacement=payload.replacement or replacement,
        strategy=strategy.value,
        now=now,
    )
    return Empty()


@router.get(f"{V1}/{{user}}/teams", response_model=UserTeams)
def get_user_teams(session: DbSession, caller: CallerDep, user: str, page: PageDep) -> UserTeams:
    """Retrieve the user's team membership."""
    teams = page.of(list_user_teams(session, caller.org_id, user))
    return UserTeams(teams=[SimpleTeamDetail.of(t) for t in teams])
