"""Outgoing webhooks: the incident fields as JSON, signed with the webhook's secret.

`X-OpenOnCall-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>`, so a receiver
recomputes it over the raw body before parsing. The secret arrives in
`data["signing_secret"]` and never appears in the body. `Idempotency-Key` is the delivery's
key, the same on every retry of it: a receiver that has seen it can drop the request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.notify.egress import GuardedBackend
from openoncall.notify.http import guarded_client, post_for_status

SIGNING_FIELD = "signing_secret"
SIGNATURE_HEADER = "X-OpenOnCall-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(notification: Notification) -> dict[str, Any]:
    """The incident fields the engine put in `data`, plus the message when they lack it."""
    fields = {k: v for k, v in notification.data.items() if k != SIGNING_FIELD}
    if notification.incident_number is not None:
        fields.setdefault("incidentNumber", notification.incident_number)
    fields.setdefault("subject", notification.subject)
    fields.setdefault("message", notification.body)
    return fields


class WebhookChannel:
    """POSTs to the URL in `notification.to`, where the egress policy allows (`egress`:
    public addresses only by default)."""

    medium = Medium.WEBHOOK

    def __init__(
        self, *, timeout_seconds: float = 10.0, egress: GuardedBackend | None = None
    ) -> None:
        self._client = guarded_client(timeout_seconds, egress)

    async def send(self, notification: Notification) -> DeliveryResult:
        if not notification.to.startswith(("http://", "https://")):
            return DeliveryResult(False, f"not an http(s) URL: {notification.to!r}", False)
        body = json.dumps(payload(notification), separators=(",", ":"), default=str).encode()
        headers = {"Content-Type": "application/json"}
        secret = notification.data.get(SIGNING_FIELD)
        if secret:
            headers[SIGNATURE_HEADER] = signature(str(secret), body)
        if notification.idempotency_key:
            headers[IDEMPOTENCY_HEADER] = notification.idempotency_key
        return await post_for_status(self._client, notification.to, content=body, headers=headers)

    async def aclose(self) -> None:
        await self._client.aclose()
