"""Use cases for organizations and API keys. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openoncall.auth.passwords import check_password_strength
from openoncall.errors import AlreadyExists, Forbidden, InvalidInput, NotFound
from openoncall.ids import hash_secret, new_secret, new_slug, slugify
from openoncall.orgs.models import ApiKey, ApiKeyUsage, InstanceSecret, Organization
from openoncall.users.models import Role, User
from openoncall.users.service import create_user


@dataclass(frozen=True, slots=True)
class Bootstrapped:
    org_slug: str
    api_id: str
    api_key: str
    rest_endpoint_key: str
    email_key: str
    admin_username: str


@dataclass(frozen=True, slots=True)
class NewApiKey:
    id: str
    api_key: str
    is_read_only: bool
    label: str


def count_orgs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organization)) or 0


def get_org(session: Session, slug: str | None) -> Organization:
    """The named organization, or the only one when no slug is given."""
    if slug is not None:
        org = session.scalar(select(Organization).where(Organization.slug == slug))
        if org is None:
            raise NotFound(f"Organization {slug} not found", field="org")
        return org
    orgs = session.scalars(select(Organization).limit(2)).all()
    if not orgs:
        raise NotFound("No organization exists yet: run `openoncall bootstrap` first")
    if len(orgs) > 1:
        raise InvalidInput("Several organizations exist: name one with --org", field="org")
    return orgs[0]


def find_org_by_rest_key(session: Session, rest_key: str) -> Organization | None:
    return session.scalar(
        select(Organization).where(Organization.rest_key_hash == hash_secret(rest_key))
    )


def find_org_by_email_key(session: Session, email_key: str) -> Organization | None:
    return session.scalar(
        select(Organization).where(Organization.email_key_hash == hash_secret(email_key))
    )


def bootstrap_org(
    session: Session,
    *,
    org_name: str,
    admin_username: str,
    admin_email: str,
    admin_password: str,
    now: datetime,
) -> Bootstrapped:
    """The organization, its first admin, one full-access API key and its endpoint keys."""
    slug = slugify(org_name)
    if session.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
        raise AlreadyExists(f"Organization {slug} already exists", field="org")
    check_password_strength(admin_password)
    rest_key, email_key = new_secret(24), new_secret(12).lower().replace("_", "x")
    org = Organization(
        slug=slug,
        name=org_name,
        api_id=new_secret(6).replace("-", "x").replace("_", "y"),
        rest_key_hash=hash_secret(rest_key),
        email_key_hash=hash_secret(email_key),
        is_warning_incident=False,
        email_default_message_type="INFO",
        created_at=now,
    )
    session.add(org)
    session.flush()
    admin = create_user(
        session,
        org.id,
        username=admin_username,
        first_name=admin_username,
        last_name="",
        email=admin_email,
        role=Role.GLOBAL_ADMIN,
        password=admin_password,
        now=now,
    )
    key = create_api_key(session, org.id, created_by=admin, label="bootstrap", now=now)
    return Bootstrapped(
        org_slug=org.slug,
        api_id=org.api_id,
        api_key=key.api_key,
        rest_endpoint_key=rest_key,
        email_key=email_key,
        admin_username=admin.username,
    )


def regenerate_endpoint_keys(org: Organization) -> tuple[str, str]:
    """New REST and email endpoint keys; the old ones stop working at commit."""
    rest_key, email_key = new_secret(24), new_secret(12).lower().replace("_", "x")
    org.rest_key_hash = hash_secret(rest_key)
    org.email_key_hash = hash_secret(email_key)
    return rest_key, email_key


def create_api_key(
    session: Session,
    org_id: int,
    *,
    created_by: User | None,
    label: str = "",
    is_read_only: bool = False,
    now: datetime,
) -> NewApiKey:
    """Only admins create keys; the secret is returned once and stored as a hash."""
    if created_by is not None and not created_by.is_admin:
        raise Forbidden("Only admins can create API keys")
    secret = new_secret(32)
    key = ApiKey(
        org_id=org_id,
        public_id=new_slug("key", 10),
        label=label,
        key_hash=hash_secret(secret),
        is_read_only=is_read_only,
        created_by_user_id=created_by.id if created_by else None,
        created_at=now,
        total_calls=0,
    )
    session.add(key)
    session.flush()
    return NewApiKey(id=key.public_id, api_key=secret, is_read_only=is_read_only, label=label)


def list_api_keys(session: Session, org_id: int) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.org_id == org_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.id)
        )
    )


def revoke_api_key(
    session: Session, org_id: int, public_id: str, *, by: User | None, now: datetime
) -> ApiKey:
    if by is not None and not by.is_admin:
        raise Forbidden("Only admins can revoke API keys")
    key = session.scalar(
        select(ApiKey).where(ApiKey.org_id == org_id, ApiKey.public_id == public_id)
    )
    if key is None or key.revoked_at is not None:
        raise NotFound(f"API key {public_id} not found", field="id")
    key.revoked_at = now
    return key


def instance_secret(session: Session, name: str) -> str:
    """A server-wide secret, generated on first use and kept in the database."""
    row = session.get(InstanceSecret, name)
    if row is None:
        row = InstanceSecret(name=name, value=new_secret(32))
        session.add(row)
        session.flush()
    return row.value


def calls_today(session: Session, key_ids: list[int], now: datetime) -> dict[int, int]:
    if not key_ids:
        return {}
    rows = session.execute(
        select(ApiKeyUsage.api_key_id, ApiKeyUsage.calls).where(
            ApiKeyUsage.api_key_id.in_(key_ids), ApiKeyUsage.day_on == now.date()
        )
    )
    return {row.api_key_id: row.calls for row in rows}
