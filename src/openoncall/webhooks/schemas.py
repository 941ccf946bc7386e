"""Wire models of GET /api-public/v1/webhooks (NOTES (b) "Webhooks", (f) `webHooks`)."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel


class WebhookRead(WireModel):
    slug: str
    label: str
    url: str


class WebhookList(WireModel):
    # The live service spells it `webHooks` (NOTES (f)); the Swagger's `webhooks` is wrong.
    web_hooks: list[WebhookRead] = Field(alias="webHooks")
