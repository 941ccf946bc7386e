"""GET /api-public/v1/webhooks: the organization's outgoing webhooks (read-only, as upstream)."""

from __future__ import annotations

from openoncall.api.paging import PageDep
from openoncall.auth.deps import CallerDep, DbSession, public_router
from openoncall.webhooks import service
from openoncall.webhooks.schemas import WebhookList, WebhookRead

router = public_router(tags=["Webhooks"])


@router.get("/api-public/v1/webhooks", response_model=WebhookList)
def list_webhooks(session: DbSession, caller: CallerDep, page: PageDep) -> WebhookList:
    """Get all of your organization's webhooks (managed with `openoncall webhooks`)."""
    return WebhookList(
        web_hooks=[
            WebhookRead(slug=w.slug, label=w.label, url=w.url)
            for w in page.of(service.list_webhooks(session, caller.org_id))
        ]
    )
