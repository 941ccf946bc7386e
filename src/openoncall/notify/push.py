"""Push notifications through an ntfy-compatible gateway: `POST {push_url}/{topic}`.

The body is the message; headers carry the title, an urgent priority and, when the
notification has them, view actions that open the acknowledge and resolve links.
"""

from __future__ import annotations

from email.header import Header

import httpx

from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.notify.http import new_client, result_of, transport_failure


def header_text(value: str) -> str:
    """Header values must be ASCII; ntfy decodes RFC 2047 encoded-words for the rest."""
    value = " ".join(value.split())
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


class PushChannel:
    """Sends to the device's topic (`notification.to`) on the configured gateway."""

    medium = Medium.PUSH

    def __init__(
        self, push_url: str, *, token: str | None = None, timeout_seconds: float = 10.0
    ) -> None:
        self._base = push_url.rstrip("/")
        self._token = token
        self._client = new_client(timeout_seconds)

    def _headers(self, notification: Notification) -> dict[str, str]:
        headers = {
            "Title": header_text(notification.subject),
            "Priority": "urgent",
            "Tags": "rotating_light",
        }
        actions = []
        for key, label in (("ack_url", "Acknowledge"), ("resolve_url", "Resolve")):
            url = notification.data.get(key)
            if url:
                actions.append(f"view, {label}, {url}")
        if actions:
            headers["Actions"] = "; ".join(actions)
            headers["Click"] = str(notification.data.get("ack_url") or "")
            if not headers["Click"]:
                del headers["Click"]
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    async def send(self, notification: Notification) -> DeliveryResult:
        topic = notification.to.strip("/")
        if not topic:
            return DeliveryResult(False, "no push topic", retryable=False)
        try:
            response = await self._client.post(
                f"{self._base}/{topic}",
                content=notification.body.encode(),
                headers=self._headers(notification),
            )
        except httpx.HTTPError as exc:
            return transport_failure(exc)
        return result_of(response)

    async def aclose(self) -> None:
        await self._client.aclose()
