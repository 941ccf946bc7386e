"""Browser sign-in: password check, server-side sessions behind signed cookies, CSRF tokens.

The cookie carries a random session token signed with the instance's web secret; the
database keeps only the token's hash (so sessions can be listed and revoked, and logout is
real). Every form carries a CSRF token derived from the cookie's token with an HMAC, so a
page from another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openoncall.auth.actors import actor_of
from openoncall.auth.passwords import check_password_strength, hash_password, verify_password
from openoncall.auth.permissions import NOTHING, Action, Actor, Target, allows
from openoncall.container import Container
from openoncall.errors import InvalidInput, Unauthorized
from openoncall.ids import hash_secret, new_secret
from openoncall.orgs.models import Organization
from openoncall.orgs.service import instance_secret
from openoncall.users.models import User
from openoncall.users.service import normalize_username
from openoncall.web.models import WebSession

SESSION_COOKIE = "oo_session"
# Visitors who are not signed in still need a CSRF token for the sign-in form itself.
ANON_COOKIE = "oo_anon"
SESSION_LIFETIME = timedelta(days=14)


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so a miss costs as long as a wrong password."""
    return hash_password("not a real password")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person behind a request."""

    user: User
    org: Organization
    session_token: str
    actor: Actor

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    def may(self, action: Action, target: Target = NOTHING) -> bool:
        """For pages deciding which forms to show; the handlers check again."""
        return allows(self.actor, action, target)


def web_secret(container: Container) -> str:
    """The signing key: settings.secret_key, else a generated secret kept in the database."""
    if container.web_secret is not None:
        return container.web_secret
    configured = container.settings.secret_key
    if configured is not None:
        secret = configured.get_secret_value()
    else:
        with container.sessions.transaction() as session:
            secret = instance_secret(session, "web-signing-key")
    container.web_secret = secret
    return secret


def _serializer(container: Container) -> URLSafeSerializer:
    return URLSafeSerializer(web_secret(container), salt="openoncall.web.cookie")


def sign(container: Container, token: str) -> str:
    return _serializer(container).dumps(token)


def unsign(container: Container, value: str | None) -> str | None:
    if not value:
        return None
    try:
        token = _serializer(container).loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def csrf_token(container: Container, bound_to: str) -> str:
    """The CSRF token for the cookie token `bound_to` (session or anonymous)."""
    key = web_secret(container).encode()
    return hmac.new(key, b"csrf|" + bound_to.encode(), hashlib.sha256).hexdigest()


def csrf_valid(container: Container, bound_to: str | None, presented: str | None) -> bool:
    if not bound_to or not presented:
        return False
    return hmac.compare_digest(csrf_token(container, bound_to), presented)


def find_org_for_login(session: Session, org_slug: str | None) -> Organization | None:
    """The org named on the form, or the only org when the instance has exactly one."""
    if org_slug:
        return session.scalar(select(Organization).where(Organization.slug == org_slug.strip()))
    orgs = session.scalars(select(Organization).limit(2)).all()
    return orgs[0] if len(orgs) == 1 else None


def authenticate_password(
    session: Session, org: Organization | None, username: str, password: str
) -> User:
    """The user whose password matches, else Unauthorized with one message for every miss."""
    user = None
    if org is not None:
        user = session.scalar(
            select(User).where(User.org_id == org.id, User.username == normalize_username(username))
        )
    if user is None or not user.password_hash:
        verify_password(_dummy_hash(), password)
        raise Unauthorized("Wrong username or password", field="username")
    if not verify_password(user.password_hash, password):
        raise Unauthorized("Wrong username or password", field="username")
    return user


def start_session(session: Session, user: User, *, now: datetime) -> str:
    """A new session for the user; returns the token (the cookie carries it, signed)."""
    token = new_secret(32)
    session.add(
        WebSession(
            org_id=user.org_id,
            user_id=user.id,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def load_viewer(session: Session, token: str, *, now: datetime) -> Viewer | None:
    row = session.execute(
        select(WebSession, User, Organization)
        .join(User, User.id == WebSession.user_id)
        .join(Organization, Organization.id == WebSession.org_id)
        .where(WebSession.token_hash == hash_secret(token), User.org_id == WebSession.org_id)
    ).first()
    if row is None:
        return None
    web_session, user, org = row
    if web_session.expires_at <= now:
        return None
    return Viewer(user=user, org=org, session_token=token, actor=actor_of(session, user))


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == hash_secret(token)))


def check_new_password(password: str, confirm: str) -> None:
    check_password_strength(password)
    if password != confirm:
        raise InvalidInput("The two passwords differ", field="confirm")


def set_password(session: Session, user: User, password: str, *, now: datetime) -> None:
    """Store the new hash and sign the user out everywhere else (sessions are deleted)."""
    user.password_hash = hash_password(password)
    user.password_updated_at = now
    user.is_verified = True
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def change_password(
    session: Session,
    user: User,
    *,
    current: str,
    new: str,
    confirm: str,
    now: datetime,
) -> None:
    if not verify_password(user.password_hash, current):
        raise InvalidInput("The current password is wrong", field="current")
    check_new_password(new, confirm)
    set_password(session, user, new, now=now)
