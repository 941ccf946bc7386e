"""The Channel protocol every delivery adapter implements, and its value types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Medium(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    PUSH = "push"
    WEBHOOK = "webhook"
    CHAT = "chat"


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one destination (an address, a number, a device topic or a URL)."""

    medium: Medium
    to: str
    subject: str
    body: str
    incident_number: str | None = None
    # Structured incident fields (webhook JSON body, alert_id for the email body, links).
    data: dict[str, Any] = field(default_factory=dict)
    # The same on every attempt of one delivery, so a receiver can drop a repeat.
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    ok: bool
    detail: str = ""
    # False when retrying cannot help (bad address, 4xx from the provider).
    retryable: bool = True


class Channel(Protocol):
    medium: Medium

    async def send(self, notification: Notification) -> DeliveryResult:
        """Deliver one notification; never raises for delivery failures, returns them."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
