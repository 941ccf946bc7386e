"""X-VO-Api-Id / X-VO-Api-Key authentication: hashed keys, constant-time compare, read-only."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.errors import Forbidden, Unauthorized
from openoncall.ids import hash_secret
from openoncall.orgs.models import ApiKey, Organization

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the organization and the key it used."""

    org_id: int
    org_slug: str
    # The organization's public API ID: unique across installations, so it keys shared state
    # such as rate-limit counts in a Redis that several databases' servers may use.
    api_id: str
    api_key_id: int
    is_read_only: bool
    created_by_user_id: int | None


def authenticate(session: Session, api_id: str | None, api_key: str | None, method: str) -> Caller:
    """Missing headers → 401; wrong or revoked → 403; read-only key on a write → 403."""
    if not api_id or not api_key:
        missing = "X-VO-Api-Id" if not api_id else "X-VO-Api-Key"
        raise Unauthorized(f"Authentication parameters missing: {missing}", field=missing)
    key_hash = hash_secret(api_key)
    row = session.execute(
        select(ApiKey, Organization.slug)
        .join(Organization, Organization.id == ApiKey.org_id)
        .where(
            Organization.api_id == api_id,
            ApiKey.key_hash == key_hash,
            ApiKey.revoked_at.is_(None),
        )
    ).first()
    if row is None or not hmac.compare_digest(row[0].key_hash, key_hash):
        raise Forbidden("Authentication failed")
    key, org_slug = row
    if key.is_read_only and method.upper() not in SAFE_METHODS:
        raise Forbidden("This API key is read-only: only GET requests are allowed")
    return Caller(
        org_id=key.org_id,
        org_slug=org_slug,
        api_id=api_id,
        api_key_id=key.id,
        is_read_only=key.is_read_only,
        created_by_user_id=key.created_by_user_id,
    )
