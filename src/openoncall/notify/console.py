"""The fallback channel when a medium has no provider configured: the log records it.

Deliveries still count as sent (the engine puts them on the timeline), so a fresh install
with nothing configured shows who would have been paged, and how.
"""

from __future__ import annotations

import logging
from collections import deque

from openoncall.notify.channel import DeliveryResult, Medium, Notification

log = logging.getLogger(__name__)


class ConsoleChannel:
    """Logs each notification and keeps the most recent ones for inspection."""

    def __init__(self, medium: Medium, *, keep: int = 1000) -> None:
        self.medium: Medium = medium
        self.recent: deque[Notification] = deque(maxlen=keep)

    async def send(self, notification: Notification) -> DeliveryResult:
        self.recent.append(notification)
        log.warning(
            "notification recorded (no %s provider configured): to=%s subject=%s",
            notification.medium,
            notification.to,
            notification.subject,
            extra={
                "medium": str(notification.medium),
                "to": notification.to,
                "incident_number": notification.incident_number,
            },
        )
        return DeliveryResult(True, f"recorded in the log (no {self.medium} provider configured)")

    async def aclose(self) -> None:
        return None
