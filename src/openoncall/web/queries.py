"""Small read queries for pages whose domain has no service function for them yet.

Each one filters by the viewer's organization. When a domain service grows an equivalent,
the page should switch to it and the query here should go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.orgs.models import ApiKey, ApiKeyUsage
from openoncall.orgs.service import list_api_keys
from openoncall.users.models import User


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    key: ApiKey
    created_by: str
    calls_today: int


def api_key_rows(session: Session, org_id: int, now: datetime) -> list[ApiKeyRow]:
    """The org's live keys with their creator's username and today's calls."""
    keys = list_api_keys(session, org_id)
    creator_ids = {k.created_by_user_id for k in keys if k.created_by_user_id is not None}
    names: dict[int, str] = {}
    if creator_ids:
        names = dict(
            session.execute(
                select(User.id, User.username).where(
                    User.org_id == org_id, User.id.in_(creator_ids)
                )
            ).all()
        )
    today = _calls_today(session, [k.id for k in keys], now)
    return [
        ApiKeyRow(
            key=k,
            created_by=names.get(k.created_by_user_id, "—") if k.created_by_user_id else "—",
            calls_today=today.get(k.id, 0),
        )
        for k in keys
    ]


def _calls_today(session: Session, key_ids: list[int], now: datetime) -> dict[int, int]:
    """Like orgs.service.calls_today, which uses Result.tuples() (deprecated in SQLAlchemy 2.1)."""
    if not key_ids:
        return {}
    rows = session.execute(
        select(ApiKeyUsage.api_key_id, ApiKeyUsage.calls).where(
            ApiKeyUsage.api_key_id.in_(key_ids), ApiKeyUsage.day_on == now.date()
        )
    )
    return {key_id: calls for key_id, calls in rows}
