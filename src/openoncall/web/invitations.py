"""Redeeming set-password links (minted by openoncall.invitations.service).

The link works once and only until it expires; redeeming it sets the password and marks the
user verified.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.errors import NotFound
from openoncall.ids import hash_secret
from openoncall.invitations.models import UserInvitation
from openoncall.users.models import User
from openoncall.web.signin import check_new_password, set_password


def find_invitation(session: Session, token: str, *, now: datetime) -> tuple[UserInvitation, User]:
    """The live invitation for the token, else NotFound (unknown, used or expired alike)."""
    row = session.execute(
        select(UserInvitation, User)
        .join(User, User.id == UserInvitation.user_id)
        .where(UserInvitation.token_hash == hash_secret(token))
    ).first()
    if row is None or row[0].used_at is not None or row[0].expires_at <= now:
        raise NotFound("This link is unknown, already used or expired", field="token")
    return row[0], row[1]


def redeem_invitation(
    session: Session, token: str, *, password: str, confirm: str, now: datetime
) -> User:
    invitation, user = find_invitation(session, token, now=now)
    check_new_password(password, confirm)
    invitation.used_at = now
    set_password(session, user, password, now=now)
    return user
