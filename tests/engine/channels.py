"""A recording Channel for engine scenarios that do not need a real server (STYLE "Fakes")."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from openoncall.notify.channel import DeliveryResult, Medium, Notification


@dataclass
class Outbox:
    """Everything sent through the recording channels, in order; failures are scripted."""

    sent: list[Notification] = field(default_factory=list)
    # How many sends to fail next, per medium (retryable failures, like a provider outage).
    failures: dict[Medium, int] = field(default_factory=dict)
    attempts: list[tuple[Medium, str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delivered: threading.Event = field(default_factory=threading.Event)

    def to(self, medium: Medium) -> list[str]:
        return [n.to for n in self.sent if n.medium == medium]


class RecordingChannel:
    def __init__(self, medium: Medium, outbox: Outbox) -> None:
        self.medium = medium
        self._outbox = outbox

    async def send(self, notification: Notification) -> DeliveryResult:
        with self._outbox.lock:
            left = self._outbox.failures.get(self.medium, 0)
            if left > 0:
                self._outbox.failures[self.medium] = left - 1
                self._outbox.attempts.append((self.medium, notification.to, False))
                return DeliveryResult(ok=False, detail="provider unavailable", retryable=True)
            self._outbox.attempts.append((self.medium, notification.to, True))
            self._outbox.sent.append(notification)
            self._outbox.delivered.set()
        return DeliveryResult(ok=True, detail="recorded")

    async def aclose(self) -> None:
        return None


def recording_channels(outbox: Outbox) -> dict[Medium, RecordingChannel]:
    return {m: RecordingChannel(m, outbox) for m in Medium}
