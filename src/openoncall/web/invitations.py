"""Set-password links for users created through the API (AddUserPayload.expirationHours).

`invite_user` returns the token once; only its hash is stored. The link works once and only
until it expires; redeeming it sets the password and marks the user verified.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openoncall.errors import InvalidInput, NotFound
from openoncall.ids import hash_secret, new_secret
from openoncall.users.models import User
from openoncall.web.models import UserInvitation
from openoncall.web.signin import check_new_password, set_password

DEFAULT_EXPIRATION_HOURS = 24.0
MAX_EXPIRATION_HOURS = 24.0 * 90


def invitation_path(token: str) -> str:
    """Where the link points, relative to settings.base_url."""
    return f"/set-password/{token}"


def invite_user(
    session: Session,
    org_id: int,
    user_id: int,
    *,
    expiration_hours: float = DEFAULT_EXPIRATION_HOURS,
    now: datetime,
) -> str:
    """A fresh set-password token for the user; earlier unused links stop working."""
    if not 0 < expiration_hours <= MAX_EXPIRATION_HOURS:
        raise InvalidInput(
            f"expirationHours must be between 0 and {MAX_EXPIRATION_HOURS:g}",
            field="expirationHours",
        )
    user = session.scalar(select(User).where(User.org_id == org_id, User.id == user_id))
    if user is None:
        raise NotFound("User not found", field="username")
    session.execute(
        update(UserInvitation)
        .where(UserInvitation.user_id == user.id, UserInvitation.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_secret(32)
    session.add(
        UserInvitation(
            org_id=org_id,
            user_id=user.id,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=now + timedelta(hours=expiration_hours),
        )
    )
    session.flush()
    return token


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
