"""`GET /api-reporting/v1/team/{team}/oncall/log`: a team's on-call intervals per user."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Query
from pydantic import Field

from openoncall.api.wire import WireModel, iso_z
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.reporting import oncall_log

router = public_router(tags=["Reporting"])


class HoursMinutes(WireModel):
    hours: int
    minutes: int


class PolicyRef(WireModel):
    name: str
    slug: str
    self_url: str = Field(alias="_selfUrl")


class OnCallInterval(WireModel):
    on: str
    off: str
    duration: HoursMinutes
    escalation_policy: PolicyRef


class UserLogOut(WireModel):
    user_id: str
    total: HoursMinutes
    adjusted_total: HoursMinutes
    log: list[OnCallInterval]


class OnCallLogOut(WireModel):
    team_slug: str
    start: str
    end: str
    user_logs: list[UserLogOut]


def _hm(delta: timedelta) -> HoursMinutes:
    minutes = int(delta.total_seconds()) // 60
    return HoursMinutes(hours=minutes // 60, minutes=minutes % 60)


Bound = Annotated[str | None, Query(max_length=64)]


@router.get("/api-reporting/v1/team/{team}/oncall/log", response_model=OnCallLogOut)
def get_oncall_log(
    team: str,
    *,
    session: DbSession,
    caller: CallerDep,
    now: Now,
    start: Bound = None,
    end: Bound = None,
    user_name: Annotated[str | None, Query(alias="userName", max_length=64)] = None,
) -> OnCallLogOut:
    """A list of shift changes for a team: each user's on-call intervals and totals."""
    result = oncall_log.team_oncall_log(
        session, caller.org_id, team, start=start, end=end, username=user_name, now=now
    )
    return OnCallLogOut(
        team_slug=result.team_slug,
        start=iso_z(result.start),
        end=iso_z(result.end),
        user_logs=[
            UserLogOut(
                user_id=u.username,
                total=_hm(u.total),
                adjusted_total=_hm(u.adjusted_total),
                log=[
                    OnCallInterval(
                        on=iso_z(i.on),
                        off=iso_z(i.off),
                        duration=_hm(i.duration),
                        escalation_policy=PolicyRef(
                            name=i.policy.name,
                            slug=i.policy.slug,
                            self_url=f"/api-public/v1/policies/{i.policy.slug}",
                        ),
                    )
                    for i in u.log
                ],
            )
            for u in result.users
        ],
    )
