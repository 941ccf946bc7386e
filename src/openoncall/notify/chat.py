"""Chat through a Slack-compatible incoming webhook: `POST {"text": …}` to its URL."""

from __future__ import annotations

import httpx

from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.notify.http import new_client, result_of, transport_failure


def chat_text(notification: Notification) -> str:
    lines = [f"*{notification.subject}*" if notification.subject else ""]
    if notification.body:
        lines.append(notification.body)
    for key, label in (("ack_url", "Acknowledge"), ("resolve_url", "Resolve")):
        url = notification.data.get(key)
        if url and str(url) not in notification.body:
            lines.append(f"<{url}|{label}>")
    return "\n".join(line for line in lines if line)


class ChatChannel:
    """POSTs to the incoming-webhook URL in `notification.to`."""

    medium = Medium.CHAT

    def __init__(self, *, timeout_seconds: float = 10.0) -> None:
        self._client = new_client(timeout_seconds)

    async def send(self, notification: Notification) -> DeliveryResult:
        if not notification.to.startswith(("http://", "https://")):
            return DeliveryResult(False, f"not an http(s) URL: {notification.to!r}", False)
        try:
            response = await self._client.post(
                notification.to, json={"text": chat_text(notification)}
            )
        except httpx.HTTPError as exc:
            return transport_failure(exc)
        return result_of(response)

    async def aclose(self) -> None:
        await self._client.aclose()
