"""Contact-method endpoints: /api-public/v1/user/{user}/contact-methods…, and the
/api-ext/v1/user/{user}/devices extension that registers a push target."""

from __future__ import annotations

from openoncall.api.paging import PageDep
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.contacts import service
from openoncall.contacts.models import ContactKind
from openoncall.contacts.schemas import (
    AllContacts,
    ContactDeviceAdd,
    ContactEmailAdd,
    ContactPhoneAdd,
    DeviceContact,
    DeviceList,
    DeviceRegister,
    EmailContact,
    EmailList,
    PhoneContact,
    PhoneList,
)
from openoncall.users.service import get_user

router = public_router(tags=["Contact Methods"])

BASE = "/api-public/v1/user/{user}/contact-methods"


@router.get(BASE, response_model=AllContacts)
def list_all(session: DbSession, caller: CallerDep, user: str) -> AllContacts:
    """Get a list of all contact methods for a user."""
    found = get_user(session, caller.org_id, user)
    contacts = service.list_contacts(session, caller.org_id, found)
    return AllContacts(
        phones=PhoneList(
            contact_methods=[
                PhoneContact.of(c, found.username) for c in contacts if c.kind == ContactKind.PHONE
            ]
        ),
        emails=EmailList(
            contact_methods=[
                EmailContact.of(c, found.username) for c in contacts if c.kind == ContactKind.EMAIL
            ]
        ),
        devices=DeviceList(
            contact_methods=[
                DeviceContact.of(c, found.username)
                for c in contacts
                if c.kind == ContactKind.DEVICE
            ]
        ),
    )


# --- emails -------------------------------------------------------------------------------


@router.get(f"{BASE}/emails", response_model=EmailList)
def list_emails(session: DbSession, caller: CallerDep, user: str, page: PageDep) -> EmailList:
    """Get a list of all contact emails for a user."""
    found = get_user(session, caller.org_id, user)
    emails = service.list_contacts(session, caller.org_id, found, ContactKind.EMAIL)
    return EmailList(contact_methods=[EmailContact.of(c, found.username) for c in page.of(emails)])


@router.post(f"{BASE}/emails", response_model=EmailContact)
def add_email(
    session: DbSession, caller: CallerDep, now: Now, user: str, body: ContactEmailAdd
) -> EmailContact:
    """Create a contact email for a user."""
    found = get_user(session, caller.org_id, user)
    contact = service.add_email(
        session, caller.org_id, found, label=body.label, email=body.email, rank=body.rank, now=now
    )
    return EmailContact.of(contact, found.username)


@router.get(f"{BASE}/emails/{{contactId}}", response_model=EmailContact)
def get_email(session: DbSession, caller: CallerDep, user: str, contactId: str) -> EmailContact:  # noqa: N803
    """Get the indicated contact email for a user."""
    found = get_user(session, caller.org_id, user)
    return EmailContact.of(
        service.get_contact(session, caller.org_id, found, ContactKind.EMAIL, contactId),
        found.username,
    )


@router.delete(f"{BASE}/emails/{{contactId}}", response_model=EmailContact)
def delete_email(session: DbSession, caller: CallerDep, user: str, contactId: str) -> EmailContact:  # noqa: N803
    """Delete a contact email for a user (not the account's Default one); answers it."""
    found = get_user(session, caller.org_id, user)
    return EmailContact.of(
        service.delete_contact(session, caller.org_id, found, ContactKind.EMAIL, contactId),
        found.username,
    )


# --- phones -------------------------------------------------------------------------------


@router.get(f"{BASE}/phones", response_model=PhoneList)
def list_phones(session: DbSession, caller: CallerDep, user: str, page: PageDep) -> PhoneList:
    """Get a list of all contact phones for a user."""
    found = get_user(session, caller.org_id, user)
    phones = service.list_contacts(session, caller.org_id, found, ContactKind.PHONE)
    return PhoneList(contact_methods=[PhoneContact.of(c, found.username) for c in page.of(phones)])


@router.post(f"{BASE}/phones", response_model=PhoneContact)
def add_phone(
    session: DbSession, caller: CallerDep, now: Now, user: str, body: ContactPhoneAdd
) -> PhoneContact:
    """Create a contact phone for a user."""
    found = get_user(session, caller.org_id, user)
    contact = service.add_phone(
        session, caller.org_id, found, label=body.label, phone=body.phone, rank=body.rank, now=now
    )
    return PhoneContact.of(contact, found.username)


@router.get(f"{BASE}/phones/{{contactId}}", response_model=PhoneContact)
def get_phone(session: DbSession, caller: CallerDep, user: str, contactId: str) -> PhoneContact:  # noqa: N803
    """Get the indicated contact phone for a user."""
    found = get_user(session, caller.org_id, user)
    return PhoneContact.of(
        service.get_contact(session, caller.org_id, found, ContactKind.PHONE, contactId),
        found.username,
    )


@router.delete(f"{BASE}/phones/{{contactId}}", response_model=PhoneContact)
def delete_phone(session: DbSession, caller: CallerDep, user: str, contactId: str) -> PhoneContact:  # noqa: N803
    """Delete a contact phone for a user; answers it."""
    found = get_user(session, caller.org_id, user)
    return PhoneContact.of(
        service.delete_contact(session, caller.org_id, found, ContactKind.PHONE, contactId),
        found.username,
    )


# --- devices ------------------------------------------------------------------------------


@router.get(f"{BASE}/devices", response_model=DeviceList)
def list_devices(session: DbSession, caller: CallerDep, user: str, page: PageDep) -> DeviceList:
    """Get a list of all contact devices for a user."""
    found = get_user(session, caller.org_id, user)
    devices = service.list_contacts(session, caller.org_id, found, ContactKind.DEVICE)
    return DeviceList(
        contact_methods=[DeviceContact.of(c, found.username) for c in page.of(devices)]
    )


@router.get(f"{BASE}/devices/{{contactId}}", response_model=DeviceContact)
def get_device(session: DbSession, caller: CallerDep, user: str, contactId: str) -> DeviceContact:  # noqa: N803
    """Get the indicated contact device for a user."""
    found = get_user(session, caller.org_id, user)
    return DeviceContact.of(
        service.get_contact(session, caller.org_id, found, ContactKind.DEVICE, contactId),
        found.username,
    )


@router.put(f"{BASE}/devices/{{contactId}}", response_model=DeviceContact)
def update_device(
    session: DbSession,
    caller: CallerDep,
    user: str,
    contactId: str,  # noqa: N803
    body: ContactDeviceAdd,
) -> DeviceContact:
    """Update a contact device's label and notification sounds."""
    found = get_user(session, caller.org_id, user)
    device = service.update_device(
        session,
        caller.org_id,
        found,
        contactId,
        label=body.device_label,
        sounds={
            "escalation_notification_sound": body.escalation_notification_sound,
            "chat_escalation_sound": body.chat_escalation_sound,
            "resolved_notification_sound": body.resolved_notification_sound,
        },
    )
    return DeviceContact.of(device, found.username)


@router.delete(f"{BASE}/devices/{{contactId}}", response_model=DeviceContact)
def delete_device(
    session: DbSession,
    caller: CallerDep,
    user: str,
    contactId: str,  # noqa: N803
) -> DeviceContact:
    """Delete a contact device for a user; answers it."""
    found = get_user(session, caller.org_id, user)
    return DeviceContact.of(
        service.delete_contact(session, caller.org_id, found, ContactKind.DEVICE, contactId),
        found.username,
    )


@router.post("/api-ext/v1/user/{user}/devices", response_model=DeviceContact)
def register_device(
    session: DbSession, caller: CallerDep, now: Now, user: str, body: DeviceRegister
) -> DeviceContact:
    """Extension: register a push device (an ntfy topic) so push notifications have a target."""
    found = get_user(session, caller.org_id, user)
    device = service.register_device(
        session,
        caller.org_id,
        found,
        label=body.label,
        topic=body.topic,
        device_type=body.device_type,
        now=now,
    )
    return DeviceContact.of(device, found.username)
