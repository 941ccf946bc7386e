"""Minting set-password links and queueing the email that carries one.

`mint_invitation` returns the raw token once; only its hash is stored, and minting one makes
the user's earlier unused links stop working. The email is a job (`invitation.email`) written
in the creating transaction: the engine mints the token when it sends, so the raw token is
never stored anywhere, not even in a delivery row. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openoncall.errors import InvalidInput, NotFound
from openoncall.ids import hash_secret, new_secret
from openoncall.invitations.models import UserInvitation
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job
from openoncall.jobs.writer import enqueue
from openoncall.users.models import User

DEFAULT_EXPIRATION_HOURS = 24.0
MAX_EXPIRATION_HOURS = 24.0 * 90


def invitation_path(token: str) -> str:
    """Where the link points, relative to settings.base_url."""
    return f"/set-password/{token}"


def check_expiration_hours(hours: float | None) -> float:
    """`expirationHours` as given (absent or 0: the default), else InvalidInput naming it."""
    if hours is None or hours == 0:
        return DEFAULT_EXPIRATION_HOURS
    if not 0 < hours <= MAX_EXPIRATION_HOURS:
        raise InvalidInput(
            f"expirationHours must be between 0 and {MAX_EXPIRATION_HOURS:g}",
            field="expirationHours",
        )
    return hours


def mint_invitation(
    session: Session,
    org_id: int,
    user_id: int,
    *,
    expiration_hours: float = DEFAULT_EXPIRATION_HOURS,
    now: datetime,
) -> str:
    """A fresh set-password token for the user; earlier unused links stop working."""
    hours = check_expiration_hours(expiration_hours)
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
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def queue_invitation_email(
    session: Session,
    org_id: int,
    user_id: int,
    *,
    expiration_hours: float | None,
    now: datetime,
) -> Job | None:
    """Ask the engine to email the user a set-password link (valid `expiration_hours`)."""
    hours = check_expiration_hours(expiration_hours)
    return enqueue(
        session,
        kind=JobKind.INVITATION_EMAIL,
        payload={"user_id": user_id, "expiration_hours": hours},
        due_at=now,
        now=now,
        org_id=org_id,
    )


@dataclass(frozen=True, slots=True)
class InvitationEmail:
    to: str
    subject: str
    body: str


def mint_invitation_email(
    session: Session,
    org_id: int,
    user_id: int,
    *,
    expiration_hours: float,
    base_url: str,
    now: datetime,
) -> InvitationEmail | None:
    """Mint the link and write the mail around it; None when the user is gone or has no
    address (nothing to send)."""
    user = session.scalar(select(User).where(User.org_id == org_id, User.id == user_id))
    if user is None or not user.email:
        return None
    token = mint_invitation(session, org_id, user.id, expiration_hours=expiration_hours, now=now)
    link = base_url.rstrip("/") + invitation_path(token)
    expires = (now + timedelta(hours=expiration_hours)).strftime("%Y-%m-%d %H:%M UTC")
    body = (
        f"Hello {user.first_name or user.username},\n\n"
        f"An OpenOnCall account was made for you: username {user.username}.\n"
        f"Choose your password here (the link works once, until {expires}):\n\n"
        f"{link}\n\n"
        "If you did not expect this, ignore this email.\n"
    )
    return InvitationEmail(to=user.email, subject="Set your OpenOnCall password", body=body)
