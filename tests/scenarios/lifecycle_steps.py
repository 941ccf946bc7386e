"""What people do to incidents, maintenance mode and alert rules, through the public API.

Plain functions taking the story (so that story.py stays small): each is one call a Splunk
On-Call user, an integration or Terraform would make, and asserts the vendor's success shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tests.scenarios.story import Story

MAINTENANCE = "/api-public/v1/maintenancemode"
ALERT_RULES = "/api-public/v1/alertRules"


def _targets(users: Iterable[str], policies: Iterable[str]) -> list[dict[str, str]]:
    return [{"type": "User", "slug": u} for u in users] + [
        {"type": "EscalationPolicy", "slug": p} for p in policies
    ]


# ---- incidents --------------------------------------------------------------------------------


def phase(story: Story, number: int) -> str:
    """The incident's currentPhase: UNACKED, ACKED or RESOLVED."""
    value: str = story.incident(number)["currentPhase"]
    return value


def recovery(story: Story, routing_key: str, entity_id: str = "disk-full") -> None:
    """The monitoring tool says the entity is fine again (RECOVERY resolves its incident)."""
    story.alert(routing_key, message_type="RECOVERY", entity_id=entity_id)


def ack_by_user(story: Story, by: str) -> list[str]:
    """PATCH /incidents/byUser/ack; returns the incident numbers it acknowledged."""
    return _by_user(story, "ack", by)


def resolve_by_user(story: Story, by: str) -> list[str]:
    """PATCH /incidents/byUser/resolve; returns the incident numbers it resolved."""
    return _by_user(story, "resolve", by)


def _by_user(story: Story, verb: str, by: str) -> list[str]:
    body = story._ok(
        story.api.patch(
            f"/api-public/v1/incidents/byUser/{verb}",
            json={"userName": by, "message": f"{verb} all by {by}"},
        )
    )
    return [r["incidentNumber"] for r in body["results"] if r["cmdAccepted"]]


def reroute(
    story: Story, number: int, by: str, *, users: Iterable[str] = (), policies: Iterable[str] = ()
) -> None:
    """POST /incidents/reroute to users and/or escalation policies; every target accepted."""
    body = story._ok(
        story.api.post(
            "/api-public/v1/incidents/reroute",
            json={
                "userName": by,
                "reroutes": [{"incidentNumber": str(number), "targets": _targets(users, policies)}],
            },
        )
    )
    (status,) = body["statuses"]
    assert status["success"], body
    assert all(t["success"] for t in status["targetStatus"]), body


def manual_incident(
    story: Story,
    summary: str,
    by: str,
    *,
    users: Iterable[str] = (),
    policies: Iterable[str] = (),
) -> int:
    """POST /incidents (a person opens an incident by hand); the first one sets minute 0."""
    if story.zero is None:
        story.zero = story.now
    body = story._ok(
        story.api.post(
            "/api-public/v1/incidents",
            json={
                "summary": summary,
                "details": f"{summary}, opened by {by}",
                "userName": by,
                "targets": _targets(users, policies),
            },
        )
    )
    return int(body["incidentNumber"])


# ---- maintenance mode -------------------------------------------------------------------------


def start_maintenance(story: Story, routing_keys: Iterable[str] = (), purpose: str = "") -> str:
    """POST /maintenancemode/start: no routing keys means global; returns the instance id."""
    names = list(routing_keys)
    before = {m["instanceId"] for m in _active(story)}
    story._ok(
        story.api.post(
            f"{MAINTENANCE}/start",
            json={"type": "RoutingKeys", "names": names, "purpose": purpose or "Maintenance"},
        )
    )
    (started,) = [m for m in _active(story) if m["instanceId"] not in before]
    assert started["isGlobal"] is (not names), started
    instance: str = started["instanceId"]
    return instance


def end_maintenance(story: Story, instance_id: str) -> None:
    """PUT /maintenancemode/{id}/end."""
    story._ok(story.api.put(f"{MAINTENANCE}/{instance_id}/end"))
    assert instance_id not in {m["instanceId"] for m in _active(story)}


def _active(story: Story) -> list[dict[str, Any]]:
    state: list[dict[str, Any]] = story._ok(story.api.get(MAINTENANCE))["activeInstances"]
    return state


# ---- alert rules (the Rules Engine) -----------------------------------------------------------


def alert_rule(
    story: Story,
    field: str,
    match: str,
    *,
    routing_key: str | None = None,
    transform: Mapping[str, str] | None = None,
    stop: bool = False,
    rank: int = 0,
    match_type: str = "WILDCARD",
) -> int:
    """POST /alertRules: when `field` matches `match`, set the `transform` fields
    (transformations, flag 1) and route to `routing_key`; returns the rule's id."""
    body: dict[str, Any] = {
        "alertField": field,
        "alertValueMatch": match,
        "matchType": match_type,
        "stopFlag": stop,
        "rank": rank,
        "notes": f"{field} ~ {match}",
        "annotations": [
            {"annotationType": "s", "fieldName": name, "fieldValue": value, "flags": 1}
            for name, value in (transform or {}).items()
        ],
    }
    if routing_key is not None:
        body["routingKey"] = routing_key
    rule_id: int = story._ok(story.api.post(ALERT_RULES, json=body))["id"]
    return rule_id
