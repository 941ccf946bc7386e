"""Wire models for contact methods, in the live shapes of NOTES (f)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from openoncall.api.wire import WireModel
from openoncall.contacts.models import ContactKind, ContactMethod

VERIFIED = "verified"
UNVERIFIED = "unverified"

# Path segment and `contactType` of each kind, as the live service names them.
_WIRE_KIND: dict[str, tuple[str, str]] = {
    ContactKind.EMAIL: ("emails", "Email"),
    ContactKind.PHONE: ("phones", "Phone"),
    ContactKind.DEVICE: ("devices", "Device"),
}


def contact_url(username: str, c: ContactMethod) -> str:
    segment = _WIRE_KIND[c.kind][0]
    return f"/api-public/v1/user/{username}/contact-methods/{segment}/{c.ext_id}"


def _common(username: str, c: ContactMethod) -> dict[str, Any]:
    return {
        "id": c.id,
        "ext_id": c.ext_id,
        "label": c.label,
        "value": c.value,
        "rank": c.rank,
        # A string, not a boolean: the vendor's Go client (Terraform provider) fails on a bool.
        "verified": VERIFIED if c.is_verified else UNVERIFIED,
        "contact_type": _WIRE_KIND[c.kind][1],
        "self_url": contact_url(username, c),
    }


class ContactBase(WireModel):
    id: int
    ext_id: str
    label: str
    value: str
    rank: int
    verified: Literal["verified", "unverified"]
    contact_type: str
    self_url: str = Field(alias="_selfUrl")


class EmailContact(ContactBase):
    email: str

    @classmethod
    def of(cls, c: ContactMethod, username: str) -> EmailContact:
        return cls(**_common(username, c), email=c.value)


class PhoneContact(ContactBase):
    phone: str

    @classmethod
    def of(cls, c: ContactMethod, username: str) -> PhoneContact:
        return cls(**_common(username, c), phone=c.value)


class DeviceContact(ContactBase):
    """A push device; `value` is its push topic."""

    device_type: str
    escalation_notification_sound: str
    chat_escalation_sound: str
    resolved_notification_sound: str

    @classmethod
    def of(cls, c: ContactMethod, username: str) -> DeviceContact:
        s = c.settings
        return cls(
            **_common(username, c),
            device_type=str(s.get("device_type", "")),
            escalation_notification_sound=str(s.get("escalation_notification_sound", "")),
            chat_escalation_sound=str(s.get("chat_escalation_sound", "")),
            resolved_notification_sound=str(s.get("resolved_notification_sound", "")),
        )


class EmailList(WireModel):
    contact_methods: list[EmailContact]


class PhoneList(WireModel):
    contact_methods: list[PhoneContact]


class DeviceList(WireModel):
    contact_methods: list[DeviceContact]


class AllContacts(WireModel):
    phones: PhoneList
    emails: EmailList
    devices: DeviceList


class ContactEmailAdd(WireModel):
    label: str = Field(max_length=255)
    email: str = Field(max_length=255)
    rank: int | None = Field(default=None, ge=0, le=1_000_000)


class ContactPhoneAdd(WireModel):
    label: str = Field(max_length=255)
    phone: str = Field(max_length=64)
    rank: int | None = Field(default=None, ge=0, le=1_000_000)


class ContactDeviceAdd(WireModel):
    """The vendor's device update body, in snake_case on the wire."""

    device_label: str | None = Field(default=None, alias="device_label", max_length=255)
    escalation_notification_sound: str | None = Field(
        default=None, alias="escalation_notification_sound", max_length=64
    )
    chat_escalation_sound: str | None = Field(
        default=None, alias="chat_escalation_sound", max_length=64
    )
    resolved_notification_sound: str | None = Field(
        default=None, alias="resolved_notification_sound", max_length=64
    )


class DeviceRegister(WireModel):
    """Extension: register a push target (the vendor's mobile app does this itself)."""

    label: str = Field(max_length=255)
    topic: str = Field(max_length=64)
    device_type: str = Field(default="ntfy", max_length=32)
