"""Use cases for users. Services never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.auth.passwords import hash_password
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.errors import AlreadyExists, InvalidInput
from openoncall.ids import new_slug
from openoncall.users.models import Role, User


def normalize_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    session: Session,
    org_id: int,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: Role = Role.USER,
    password: str | None = None,
    now: datetime,
) -> User:
    """A new user with the default email contact method (their account address)."""
    username = normalize_username(username)
    if not username:
        raise InvalidInput("username must not be empty", field="username")
    if "@" not in email:
        raise InvalidInput(f"Invalid email address: {email}", field="email")
    taken = session.scalar(select(User.id).where(User.org_id == org_id, User.username == username))
    if taken is not None:
        raise AlreadyExists(f"Username {username} is unavailable", field="username")
    user = User(
        org_id=org_id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        password_hash=hash_password(password) if password else None,
        password_updated_at=now if password else None,
        is_verified=bool(password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    session.add(
        ContactMethod(
            org_id=org_id,
            user_id=user.id,
            kind=ContactKind.EMAIL,
            ext_id=new_slug("email", 10),
            label="Default",
            value=email,
            rank=0,
            is_verified=True,
            settings={},
            created_at=now,
        )
    )
    return user
