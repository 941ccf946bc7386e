"""Chat through a Slack-compatible incoming webhook: `POST {"text": …}` to its URL."""

from __future__ import annotations

from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.notify.egress import GuardedBackend
from openoncall.notify.http import guarded_client, post_for_status


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
    """POSTs to the incoming-webhook URL in `notification.to`, where the egress policy
    allows (like webhooks, an org admin chooses the URL)."""

    medium = Medium.CHAT

    def __init__(
        self, *, timeout_seconds: float = 10.0, egress: GuardedBackend | None = None
    ) -> None:
        self._client = guarded_client(timeout_seconds, egress)

    async def send(self, notification: Notification) -> DeliveryResult:
        if not notification.to.startswith(("http://", "https://")):
            return DeliveryResult(False, f"not an http(s) URL: {notification.to!r}", False)
        return await post_for_status(
            self._client, notification.to, json={"text": chat_text(notification)}
        )

    async def aclose(self) -> None:
        await self._client.aclose()
