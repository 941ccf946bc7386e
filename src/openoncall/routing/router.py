"""Routing-key endpoints: GET/POST /api-public/v1/org/routing-keys."""

from __future__ import annotations

from openoncall.api.paging import PageDep
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.routing import service
from openoncall.routing.schemas import (
    CreateRoutingKeyResponse,
    ListRoutingKeysResponse,
    RoutingKeyInfo,
    RoutingKeyPayload,
    RoutingKeyTarget,
)

router = public_router(tags=["Routing Keys"])

PATH = "/api-public/v1/org/routing-keys"


@router.get(PATH, response_model=ListRoutingKeysResponse)
def list_routing_keys(
    session: DbSession, caller: CallerDep, now: Now, page: PageDep
) -> ListRoutingKeysResponse:
    """List routing keys with their escalation-policy targets; the default key first."""
    views = page.of(service.list_routing_keys(session, caller.org_id, now=now))
    return ListRoutingKeysResponse(
        self_url=PATH,
        routing_keys=[
            RoutingKeyInfo(
                routing_key=v.key,
                is_default=v.is_default,
                targets=[
                    RoutingKeyTarget(
                        policy_name=t.policy_name,
                        policy_slug=t.policy_slug,
                        team_url=f"/api-public/v1/team/{t.team_slug}",
                    )
                    for t in v.targets
                ],
            )
            for v in views
        ],
    )


@router.post(PATH, response_model=CreateRoutingKeyResponse)
def create_routing_key(
    body: RoutingKeyPayload, session: DbSession, caller: CallerDep, now: Now
) -> CreateRoutingKeyResponse:
    """Create a routing key that pages the given escalation policies (by slug)."""
    view = service.create_routing_key(
        session, caller.org_id, key=body.routing_key, policy_slugs=body.policy_slugs(), now=now
    )
    return CreateRoutingKeyResponse(
        routing_key=view.key, targets=[t.policy_slug for t in view.targets]
    )
