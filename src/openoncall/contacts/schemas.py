"""Wire models for contact methods, in the live shapes of NOTES (f)."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel
from openoncall.contacts.models import ContactMethod


class ContactBase(WireModel):
    id: int
    ext_id: str
    label: str
    value: str
    rank: int
    verified: bool


class EmailContact(ContactBase):
    email: str

    @classmethod
    def of(cls, c: ContactMethod) -> EmailContact:
        return cls(
            id=c.id,
            ext_id=c.ext_id,
            label=c.label,
            value=c.value,
            email=c.value,
            rank=c.rank,
            verified=c.is_verified,
        )


class PhoneContact(ContactBase):
    phone: str

    @classmethod
    def of(cls, c: ContactMethod) -> PhoneContact:
        return cls(
            id=c.id,
            ext_id=c.ext_id,
            label=c.label,
            value=c.value,
            phone=c.value,
            rank=c.rank,
            verified=c.is_verified,
        )


class DeviceContact(ContactBase):
    """A push device; `value` is its push topic."""

    device_type: str
    escalation_notification_sound: str
    chat_escalation_sound: str
    resolved_notification_sound: str

    @classmethod
    def of(cls, c: ContactMethod) -> DeviceContact:
        s = c.settings
        return cls(
            id=c.id,
            ext_id=c.ext_id,
            label=c.label,
            value=c.value,
            rank=c.rank,
            verified=c.is_verified,
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
