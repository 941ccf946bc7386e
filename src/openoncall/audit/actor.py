"""Who an API call acts as, for the audit trail: the key's creator, else the key itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.auth.api_keys import Caller
from openoncall.orgs.models import ApiKey
from openoncall.users.models import User


def audit_actor(session: Session, caller: Caller) -> str:
    """The creator's username when the key has one, else `api-key:<public id>` (or the
    caller's own name: the CLI calls the handlers with no key)."""
    if caller.actor is not None:
        return caller.actor
    if caller.created_by_user_id is not None:
        username = session.scalar(
            select(User.username).where(
                User.org_id == caller.org_id, User.id == caller.created_by_user_id
            )
        )
        if username is not None:
            return username
    public_id = session.scalar(select(ApiKey.public_id).where(ApiKey.id == caller.api_key_id))
    return f"api-key:{public_id or caller.api_key_id}"
