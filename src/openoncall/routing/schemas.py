"""Wire models for routing keys (NOTES (b) "Routing keys")."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel


class RoutingKeyTarget(WireModel):
    policy_name: str
    policy_slug: str
    team_url: str = Field(alias="_teamUrl")


class RoutingKeyInfo(WireModel):
    routing_key: str
    is_default: bool
    targets: list[RoutingKeyTarget]


class ListRoutingKeysResponse(WireModel):
    self_url: str = Field(alias="_selfUrl")
    routing_keys: list[RoutingKeyInfo]


class PolicySlugTarget(WireModel):
    """A target as an object, the way clients copy it from the list response."""

    policy_slug: str


class RoutingKeyPayload(WireModel):
    """Targets are policy slugs, given as strings or as `{"policySlug": ...}` objects."""

    routing_key: str
    targets: list[str | PolicySlugTarget] = Field(default_factory=list)

    def policy_slugs(self) -> list[str]:
        return [t if isinstance(t, str) else t.policy_slug for t in self.targets]


class CreateRoutingKeyResponse(WireModel):
    routing_key: str
    targets: list[str]
