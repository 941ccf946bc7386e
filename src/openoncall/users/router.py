"""Users endpoints: /api-public/v1/user…, /api-public/v2/user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query
from fastapi.responses import JSONResponse

from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.teams.schemas import SimpleTeamDetail, UserTeams
from openoncall.teams.service import list_user_teams
from openoncall.users import service
from openoncall.users.schemas import (
    BatchAddUserEntry,
    BatchUserError,
    BatchUserInput,
    Empty,
    UserCreate,
    UserDelete,
    UserListV1,
    UserListV2,
    UserRead,
    user_wire,
)

router = public_router(tags=["Users"])

V1 = "/api-public/v1/user"


# The lists are encoded straight from column rows; response_model still documents them.
@router.get(V1, response_model=UserListV1)
def list_users_v1(session: DbSession, caller: CallerDep) -> JSONResponse:
    """List users (the live service nests the list in a second array)."""
    users = [user_wire(row) for row in service.list_user_columns(session, caller.org_id)]
    return JSONResponse({"users": [users], "_selfUrl": V1})


@router.get("/api-public/v2/user", response_model=UserListV2)
def list_users_v2(
    session: DbSession, caller: CallerDep, email: Annotated[str | None, Query()] = None
) -> JSONResponse:
    """List users, optionally only those with the given email address."""
    rows = service.list_user_columns(session, caller.org_id, email=email)
    return JSONResponse({"users": [user_wire(row) for row in rows]})


@router.post(V1, response_model=UserRead)
def add_user(session: DbSession, caller: CallerDep, now: Now, body: UserCreate) -> UserRead:
    """Add a user; they get the Default email contact method and the default paging policy."""
    user = service.create_user(
        session,
        caller.org_id,
        username=body.username,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        now=now,
    )
    return UserRead.of(user)


@router.post(f"{V1}/batch", response_model=list[BatchAddUserEntry])
def add_users(
    session: DbSession,
    caller: CallerDep,
    now: Now,
    body: Annotated[list[BatchUserInput], Body(max_length=service.MAX_BATCH)],
) -> list[BatchAddUserEntry]:
    """Add up to 50 users; each entry reports its own errors."""
    entries = [
        service.NewUser(
            username=e.username, first_name=e.first_name, last_name=e.last_name, email=e.email
        )
        for e in body
    ]
    results = service.create_users(session, caller.org_id, entries, now=now)
    return [
        BatchAddUserEntry(
            username=r.username,
            errors=[BatchUserError(code=code, message=msg) for code, msg in r.errors],
        )
        for r in results
    ]


@router.get(f"{V1}/{{user}}", response_model=UserRead)
def get_user(session: DbSession, caller: CallerDep, user: str) -> UserRead:
    """Retrieve information for a user."""
    return UserRead.of(service.get_user(session, caller.org_id, user))


@router.put(f"{V1}/{{user}}", response_model=UserRead)
def update_user(session: DbSession, caller: CallerDep, user: str, body: UserCreate) -> UserRead:
    """Update a user's names, email and username."""
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


@router.delete(f"{V1}/{{user}}", response_model=Empty)
def delete_user(
    session: DbSession,
    caller: CallerDep,
    now: Now,
    user: str,
    body: Annotated[UserDelete | None, Body()] = None,
) -> Empty:
    """Remove a user; the replacement takes over their rotations and escalation entries."""
    payload = body or UserDelete()
    service.delete_user(
        session,
        caller.org_id,
        user,
        replacement=payload.replacement,
        strategy=payload.replacement_strategy.value,
        now=now,
    )
    return Empty()


@router.get(f"{V1}/{{user}}/teams", response_model=UserTeams)
def get_user_teams(session: DbSession, caller: CallerDep, user: str) -> UserTeams:
    """Retrieve the user's team membership."""
    teams = list_user_teams(session, caller.org_id, user)
    return UserTeams(teams=[SimpleTeamDetail.of(t) for t in teams])
