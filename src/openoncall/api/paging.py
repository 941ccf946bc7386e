"""`limit`/`offset` query parameters for the list endpoints (the live service's migration
tooling walks pages of 100; NOTES (g)). Without either a list keeps its full, unpaged shape;
a bad value is a 400 that names the parameter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from openoncall.list_window import Page
from openoncall.storable import MAX_DB_INT

MAX_LIMIT = 10_000


async def page_params(
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_LIMIT, description="Return at most this many items.")
    ] = None,
    offset: Annotated[
        int | None, Query(ge=0, le=MAX_DB_INT, description="Skip this many items first.")
    ] = None,
) -> Page:
    return Page(limit=limit, offset=offset or 0)


PageDep = Annotated[Page, Depends(page_params)]
