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


NOTIFICATION_DESCRIPTIONS: dict[NotificationType, str] = {
    NotificationType.PUSH: "Send a push notification to all my devices",
    NotificationType.EMAIL: "Send an email to",
    NotificationType.SMS: "Send an SMS to",
    NotificationType.PHONE: "Make a phone call to",
}

CONTACT_DESCRIPTIONS: dict[ContactType, str] = {
    ContactType.EMAIL: "Email address",
    ContactType.PHONE: "Phone number",
}

TIMEOUT_MINUTES: tuple[int, ...] = (1, 5, 10, 15, 20, 25, 30, 45, 60)


def timeout_description(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return f"If still unacked after {minutes} {unit}"
