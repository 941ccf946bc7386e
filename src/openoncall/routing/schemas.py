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


class RoutingKeyPayload(WireModel):
    routing_key: str
    targets: list[str] = Field(default_factory=list)


class CreateRoutingKeyResponse(WireModel):
    routing_key: str
    targets: list[str]
