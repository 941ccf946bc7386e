"""The fixed vocabularies of personal paging policies (NOTES (b) "Paging policies")."""

from __future__ import annotations

from enum import StrEnum


class NotificationType(StrEnum):
    PUSH = "push"
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"


class ContactType(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


# The vendor's fixed strings, word for word (Swagger 2020-06: the operations' descriptions and
# the NotificationDescription/ContactDescription enums agree on them).
NOTIFICATION_DESCRIPTIONS: dict[NotificationType, str] = {
    NotificationType.PUSH: "Send a push notification to all my devices",
    NotificationType.EMAIL: "Send an email to an email address",
    NotificationType.SMS: "Send an SMS to a phone number",
    NotificationType.PHONE: "Make a phone call to a phone number",
}

CONTACT_DESCRIPTIONS: dict[ContactType, str] = {
    ContactType.EMAIL: "Email Address",
    ContactType.PHONE: "Phone Number",
}

TIMEOUT_MINUTES: tuple[int, ...] = (1, 5, 10, 15, 20, 25, 30, 45, 60)


def timeout_description(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return f"If still unacked after {minutes} {unit}"
