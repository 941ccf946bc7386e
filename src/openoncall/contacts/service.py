"""Use cases for contact methods: emails, phones and push devices. Services never commit.

A contact is addressed in paths by its `extId` (or its numeric `id`, which paging rules
use). The user's first email contact is their account's Default address: it follows the
account email and cannot be deleted.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.errors import AlreadyExists, InvalidInput, NotFound, Unprocessable
from openoncall.ids import new_slug
from openoncall.users.models import User
from openoncall.users.service import check_email, has_control_chars

_PHONE = re.compile(r"^\+?[0-9]{5,15}$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEVICE_SOUNDS = (
    "escalation_notification_sound",
    "chat_escalation_sound",
    "resolved_notification_sound",
)


def check_phone(phone: str) -> str:
    """Digits with an optional leading `+`; spaces, dashes, dots and parentheses dropped."""
    normalized = _PHONE_PUNCTUATION.sub("", phone)
    if not _PHONE.match(normalized):
        raise InvalidInput(f"Invalid phone number: {phone}", field="phone")
    return normalized


def _check_label(label: str) -> str:
    label = label.strip()
    if not label:
        raise InvalidInput("label must not be empty", field="label")
    if has_control_chars(label):
        raise InvalidInput("label must not contain control characters", field="label")
    if len(label) > 255:
        raise InvalidInput("label is longer than 255 characters", field="label")
    return label


def list_contacts(
    session: Session, org_id: int, user: User, kind: ContactKind | None = None
) -> list[ContactMethod]:
    """A user's contacts, by rank then age."""
    query = select(ContactMethod).where(
        ContactMethod.org_id == org_id, ContactMethod.user_id == user.id
    )
    if kind is not None:
        query = query.where(ContactMethod.kind == kind)
    return list(session.scalars(query.order_by(ContactMethod.rank, ContactMethod.id)))


def find_contact_by_id(
    session: Session, org_id: int, user: User, contact_id: int
) -> ContactMethod | None:
    return session.scalar(
        select(ContactMethod).where(
            ContactMethod.org_id == org_id,
            ContactMethod.user_id == user.id,
            ContactMethod.id == contact_id,
        )
    )


def get_contact(
    session: Session, org_id: int, user: User, kind: ContactKind, contact_id: str
) -> ContactMethod:
    """The user's contact of that kind by extId, or by numeric id."""
    query = select(ContactMethod).where(
        ContactMethod.org_id == org_id,
        ContactMethod.user_id == user.id,
        ContactMethod.kind == kind,
    )
    if "\x00" in contact_id:
        raise NotFound("Contact method not found", field="contactId")
    # Numeric ids beyond 64 bits exist nowhere (and SQLite cannot bind them).
    if contact_id.isdigit() and len(contact_id) <= 18:
        query = query.where(
            (ContactMethod.ext_id == contact_id) | (ContactMethod.id == int(contact_id))
        )
    else:
        query = query.where(ContactMethod.ext_id == contact_id)
    contact = session.scalar(query)
    if contact is None:
        raise NotFound("Contact method not found", field="contactId")
    return contact


def default_email(session: Session, org_id: int, user: User) -> ContactMethod | None:
    """The Default email contact that create_user made: the user's first email contact."""
    return session.scalar(
        select(ContactMethod)
        .where(
            ContactMethod.org_id == org_id,
            ContactMethod.user_id == user.id,
            ContactMethod.kind == ContactKind.EMAIL,
        )
        .order_by(ContactMethod.id)
        .limit(1)
    )


def _next_rank(session: Session, org_id: int, user: User, kind: ContactKind) -> int:
    highest = session.scalar(
        select(func.max(ContactMethod.rank)).where(
            ContactMethod.org_id == org_id,
            ContactMethod.user_id == user.id,
            ContactMethod.kind == kind,
        )
    )
    return 0 if highest is None else highest + 1


def _add(
    session: Session,
    org_id: int,
    user: User,
    *,
    kind: ContactKind,
    label: str,
    value: str,
    rank: int | None,
    settings: dict[str, Any],
    now: datetime,
) -> ContactMethod:
    taken = session.scalar(
        select(ContactMethod.id).where(
            ContactMethod.org_id == org_id,
            ContactMethod.user_id == user.id,
            ContactMethod.kind == kind,
            ContactMethod.value == value,
        )
    )
    if taken is not None:
        field = {ContactKind.EMAIL: "email", ContactKind.PHONE: "phone"}.get(kind, "topic")
        raise AlreadyExists(f"{user.username} already has the {kind} contact {value}", field=field)
    if rank is not None and rank < 0:
        raise InvalidInput("rank must not be negative", field="rank")
    contact = ContactMethod(
        org_id=org_id,
        user_id=user.id,
        kind=kind,
        ext_id=new_slug(kind, 10),
        label=_check_label(label),
        value=value,
        rank=_next_rank(session, org_id, user, kind) if rank is None else rank,
        # No verification round-trip exists yet: added contacts are reported unverified.
        is_verified=False,
        settings=settings,
        created_at=now,
    )
    session.add(contact)
    session.flush()
    return contact


def add_email(
    session: Session,
    org_id: int,
    user: User,
    *,
    label: str,
    email: str,
    rank: int | None = None,
    now: datetime,
) -> ContactMethod:
    return _add(
        session,
        org_id,
        user,
        kind=ContactKind.EMAIL,
        label=label,
        value=check_email(email),
        rank=rank,
        settings={},
        now=now,
    )


def add_phone(
    session: Session,
    org_id: int,
    user: User,
    *,
    label: str,
    phone: str,
    rank: int | None = None,
    now: datetime,
) -> ContactMethod:
    return _add(
        session,
        org_id,
        user,
        kind=ContactKind.PHONE,
        label=label,
        value=check_phone(phone),
        rank=rank,
        settings={},
        now=now,
    )


def _device_type(value: str) -> str:
    value = value.strip() or "ntfy"
    if has_control_chars(value):
        raise InvalidInput("deviceType must not contain control characters", field="deviceType")
    return value


def register_device(
    session: Session,
    org_id: int,
    user: User,
    *,
    label: str,
    topic: str,
    device_type: str,
    now: datetime,
) -> ContactMethod:
    """A push target (an ntfy-style topic); the vendor API leaves this to its mobile app."""
    topic = topic.strip()
    if not _TOPIC.match(topic):
        raise InvalidInput(
            f"Invalid topic: {topic} (letters, digits, _ and - only, up to 64)", field="topic"
        )
    return _add(
        session,
        org_id,
        user,
        kind=ContactKind.DEVICE,
        label=label,
        value=topic,
        rank=None,
        settings={"device_type": _device_type(device_type)} | dict.fromkeys(DEVICE_SOUNDS, ""),
        now=now,
    )


def update_device(
    session: Session,
    org_id: int,
    user: User,
    contact_id: str,
    *,
    label: str | None,
    sounds: dict[str, str | None],
) -> ContactMethod:
    """ContactDeviceAdd: a new label and notification sounds; absent fields keep theirs."""
    device = get_contact(session, org_id, user, ContactKind.DEVICE, contact_id)
    if label is not None:
        device.label = _check_label(label)
    settings = dict(device.settings)
    for name, value in sounds.items():
        if value is not None:
            if has_control_chars(value):
                raise InvalidInput(f"{name} must not contain control characters", field=name)
            settings[name] = value
    device.settings = settings
    session.flush()
    return device


def delete_contact(
    session: Session, org_id: int, user: User, kind: ContactKind, contact_id: str
) -> ContactMethod:
    """Delete a contact (paging rules that use it go with it); the Default email stays."""
    contact = get_contact(session, org_id, user, kind, contact_id)
    if kind == ContactKind.EMAIL:
        default = default_email(session, org_id, user)
        if default is not None and default.id == contact.id:
            raise Unprocessable(
                "The Default email contact of an account cannot be deleted", field="contactId"
            )
    session.delete(contact)
    session.flush()
    return contact
