"""Calendar feed endpoints (extensions under /api-ext/v1): issue/rotate/revoke and the feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from openoncall.api.conditional import entity_tag, not_modified, tagged
from openoncall.api.wire import WireModel
from openoncall.audit.actor import audit_actor
from openoncall.auth.deps import CallerDep, ContainerDep, DbSession, Now, public_router
from openoncall.calendar import service
from openoncall.calendar.ics import render_ics

router = public_router(tags=["Calendar feeds (extension)"])
# The feed itself is fetched by calendar apps, which cannot send API headers: the secret
# token in the URL is the credential.
feed_router = APIRouter(tags=["Calendar feeds (extension)"])

BASE = service.FEED_PATH


class FeedUrl(WireModel):
    url: str
    path: str


def _url(container: ContainerDep, feed: service.NewFeed) -> FeedUrl:
    return FeedUrl(url=container.settings.base_url.rstrip("/") + feed.path, path=feed.path)


@router.post(f"{BASE}/user/{{user}}", response_model=FeedUrl)
def issue_user_feed(
    user: str, session: DbSession, caller: CallerDep, now: Now, container: ContainerDep
) -> FeedUrl:
    """Create (or rotate) the secret URL of a user's on-call calendar; shown once."""
    feed = service.issue_feed(
        session, caller.org_id, username=user, actor=audit_actor(session, caller), now=now
    )
    return _url(container, feed)


@router.delete(f"{BASE}/user/{{user}}")
def revoke_user_feed(user: str, session: DbSession, caller: CallerDep, now: Now) -> dict[str, str]:
    """Revoke a user's calendar URL."""
    service.revoke_feed(
        session, caller.org_id, username=user, actor=audit_actor(session, caller), now=now
    )
    return {}


@router.post(f"{BASE}/team/{{team}}", response_model=FeedUrl)
def issue_team_feed(
    team: str, session: DbSession, caller: CallerDep, now: Now, container: ContainerDep
) -> FeedUrl:
    """Create (or rotate) the secret URL of a team's on-call calendar; shown once."""
    feed = service.issue_feed(
        session, caller.org_id, team_slug=team, actor=audit_actor(session, caller), now=now
    )
    return _url(container, feed)


@router.delete(f"{BASE}/team/{{team}}")
def revoke_team_feed(team: str, session: DbSession, caller: CallerDep, now: Now) -> dict[str, str]:
    """Revoke a team's calendar URL."""
    service.revoke_feed(
        session, caller.org_id, team_slug=team, actor=audit_actor(session, caller), now=now
    )
    return {}


@feed_router.get(
    f"{BASE}/{{token}}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def get_feed(
    request: Request,
    token: str,
    *,
    session: DbSession,
    now: Now,
    days_back: Annotated[int, Query(alias="daysBack", ge=0, le=service.MAX_DAYS_BACK)] = 7,
    days_forward: Annotated[
        int, Query(alias="daysForward", ge=0, le=service.MAX_DAYS_FORWARD)
    ] = 30,
) -> Response:
    """The on-call calendar (iCalendar) behind a secret URL: final on-call after overrides."""
    content = service.feed_content(
        session, token, now=now, days_back=days_back, days_forward=days_forward
    )
    # DTSTAMP (the render time) is left out of the tag: same events, same tag.
    tag = entity_tag(repr(content).encode())
    unchanged = not_modified(request, tag)
    if unchanged is not None:
        return unchanged
    feed = Response(content=render_ics(content, now=now), media_type="text/calendar; charset=utf-8")
    return tagged(feed, tag)
