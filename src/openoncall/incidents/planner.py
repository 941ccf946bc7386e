"""The incident decision, pure: what each alert of a batch does to its entity's incident.

Open (a CRITICAL, or a WARNING where the org makes warnings incidents, with no open incident
for the entity), fold (CRITICAL and WARNING add to the open incident: alertCount, last
alert, entity state), acknowledge (ACKNOWLEDGEMENT), resolve (RECOVERY, which frees the
entity) or only add to the timeline (INFO). Phase changes come from the state machine in
`incidents/lifecycle.py`. The decision works on the batch's view of the open incidents, so
alerts for one entity in one batch apply in order; `incidents/rows.py` writes the plan.
This is the only place the decision exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from openoncall.alerts.models import AlertSource
from openoncall.errors import InvalidTransition
from openoncall.incidents import lifecycle
from openoncall.incidents.models import EventKind, Phase

if TYPE_CHECKING:
    from openoncall.alerts.routed import Routed

OPENING_TYPES = ("CRITICAL",)
AGGREGATING_TYPES = ("CRITICAL", "WARNING")


@dataclass
class PlannedIncident:
    """An incident as this batch sees it.

    New incidents carry every column in `values`. Existing ones carry what was read (id,
    number, phase) and what this batch changes: `added` alerts and the newest alert's fields
    (written as an increment, so no other column needs reading), and `transition` columns
    when an ACK or RECOVERY changed the phase.
    """

    values: dict[str, Any]
    is_new: bool
    policies: tuple[int, ...] = ()
    teams: tuple[int, ...] = ()
    id: int | None = None
    added: int = 0
    last: dict[str, Any] = field(default_factory=dict)
    transition: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    new: list[PlannedIncident] = field(default_factory=list)
    touched: dict[int, PlannedIncident] = field(default_factory=dict)
    alerts: list[tuple[dict[str, Any], PlannedIncident | None]] = field(default_factory=list)
    events: list[tuple[dict[str, Any], PlannedIncident]] = field(default_factory=list)


# ------------------------------------------------------------------ context


def _alert_event(item: Routed, alert_uuid: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "messageType": item.data.message_type,
        "entityId": item.data.entity_id,
    }
    if item.matched_rules:
        data["rules"] = list(item.matched_rules)
    annotations = {k: v for k, v in item.fields.items() if k.startswith("vo_annotate.")}
    if annotations:
        data["annotations"] = annotations
    return {
        "org_id": item.ctx.org_id,
        "kind": EventKind.ALERT.value,
        "at": item.submission.received_at,
        "actor": item.data.monitoring_tool,
        "message": item.data.state_message,
        "alert_uuid": alert_uuid,
        "data": data,
    }


def _transition_event(org_id: int, transition: lifecycle.Transition) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "kind": EventKind.TRANSITION.value,
        "at": transition.at,
        "actor": transition.by,
        "message": transition.message,
        "alert_uuid": transition.alert_id,
        "data": transition.to_data(),
    }


def plan_alert(
    plan: Plan,
    item: Routed,
    alert_uuid: str,
    open_incidents: dict[str, PlannedIncident],
    now: datetime,
) -> PlannedIncident | None:
    """Decide what one alert does, updating the batch's view of the open incidents."""
    data = item.data
    org_id = item.ctx.org_id
    at = item.submission.received_at
    incident = open_incidents.get(data.entity_id)
    opens = data.message_type in OPENING_TYPES or (
        data.message_type == "WARNING" and item.ctx.is_warning_incident
    )

    if incident is None and opens:
        incident = _open(plan, item, alert_uuid, now)
        open_incidents[data.entity_id] = incident
    elif incident is not None:
        plan.events.append((_alert_event(item, alert_uuid), incident))
        if data.message_type in AGGREGATING_TYPES:
            _aggregate(plan, incident, item, alert_uuid, now)
        elif data.message_type == "ACKNOWLEDGEMENT":
            by = data.ack_author or data.monitoring_tool
            try:
                transition = lifecycle.acknowledge(
                    incident.values["phase"],
                    at=at,
                    by=by,
                    message=data.ack_msg or data.state_message,
                    manually=False,
                    alert_id=alert_uuid,
                )
            except InvalidTransition:
                transition = None  # already acknowledged: the alert is on the timeline
            if transition is not None:
                _change_phase(
                    plan,
                    incident,
                    {"phase": Phase.ACKED.value, "acked_by": by, "acked_at": at},
                    now,
                )
                plan.events.append((_transition_event(org_id, transition), incident))
        elif data.message_type == "RECOVERY":
            by = data.ack_author or data.monitoring_tool
            transition = lifecycle.resolve(
                incident.values["phase"],
                at=at,
                by=by,
                message=data.state_message,
                manually=False,
                alert_id=alert_uuid,
            )
            _change_phase(
                plan,
                incident,
                {
                    "phase": Phase.RESOLVED.value,
                    "open_entity_id": None,
                    "resolved_by": by,
                    "resolved_at": at,
                },
                now,
            )
            plan.events.append((_transition_event(org_id, transition), incident))
            del open_incidents[data.entity_id]
        # INFO (and WARNING when warnings do not open incidents) only adds to the timeline.

    plan.alerts.append(
        (
            {
                "uuid": alert_uuid,
                "org_id": org_id,
                "source": item.submission.source,
                "routing_key": item.submission.routing_key,
                "routed_key": item.routed_key,
                "message_type": data.message_type,
                "entity_id": data.entity_id,
                "entity_display_name": data.entity_display_name,
                "state_message": data.state_message,
                "monitoring_tool": data.monitoring_tool,
                "timestamp": data.timestamp,
                "state_start_time": data.state_start_time,
                "fields": item.fields,
                "raw": item.submission.raw,
                "received_at": at,
            },
            incident,
        )
    )
    return incident


def _aggregate(
    plan: Plan, incident: PlannedIncident, item: Routed, alert_uuid: str, now: datetime
) -> None:
    """alertCount++, lastAlertId/Time and the entity's state follow the newest alert."""
    last = {
        "last_alert_uuid": alert_uuid,
        "last_alert_at": item.submission.received_at,
        "entity_state": item.data.message_type,
        "updated_at": now,
    }
    if item.data.state_message:
        last["state_message"] = item.data.state_message
    if incident.is_new:
        incident.values["alert_count"] += 1
        incident.values.update(last)
        return
    incident.added += 1
    incident.last.update(last)
    plan.touched[id(incident)] = incident


def _change_phase(
    plan: Plan, incident: PlannedIncident, columns: dict[str, Any], now: datetime
) -> None:
    incident.values["phase"] = columns["phase"]
    if incident.is_new:
        incident.values.update(columns, updated_at=now)
        return
    incident.transition.update(columns, updated_at=now)
    plan.touched[id(incident)] = incident


def _open(plan: Plan, item: Routed, alert_uuid: str, now: datetime) -> PlannedIncident:
    data = item.data
    org_id = item.ctx.org_id
    at = item.submission.received_at
    policies = item.ctx.routing.policies_by_key.get(item.routed_key, ())
    source = item.submission.source
    incident = PlannedIncident(
        values={
            "org_id": org_id,
            "number": None,
            "entity_id": data.entity_id,
            "open_entity_id": data.entity_id,
            "entity_display_name": data.entity_display_name or data.entity_id,
            "entity_state": data.message_type,
            "entity_type": "HOST" if data.entity_is_host else "SERVICE",
            "state_message": data.state_message,
            "phase": Phase.UNACKED.value,
            "routing_key": item.routed_key,
            "alert_count": 1,
            "first_alert_uuid": alert_uuid,
            "last_alert_uuid": alert_uuid,
            "started_at": at,
            "last_alert_at": at,
            "host": data.host,
            "service": data.service,
            "monitoring_tool": data.monitoring_tool,
            "monitor_type": "Email" if source == AlertSource.EMAIL else "API",
            "monitor_name": data.monitoring_tool,
            "is_muted": item.is_muted,
            "is_multi_responder": False,
            "acked_by": None,
            "acked_at": None,
            "resolved_by": None,
            "resolved_at": None,
            "updated_at": now,
        },
        is_new=True,
        policies=() if item.is_muted else policies,
        teams=()
        if item.is_muted
        else tuple(dict.fromkeys(t for p in policies if (t := item.ctx.policy_teams.get(p)))),
    )
    plan.new.append(incident)
    plan.events.append((_alert_event(item, alert_uuid), incident))
    opening = lifecycle.trigger(
        at=at,
        by=data.monitoring_tool,
        message=data.entity_display_name or data.entity_id,
        manually=False,
        alert_id=alert_uuid,
    )
    plan.events.append((_transition_event(org_id, opening), incident))
    if item.is_muted:
        muted = {
            "org_id": org_id,
            "kind": EventKind.MUTED.value,
            "at": at,
            "actor": "system",
            "message": "Maintenance mode is active: this incident pages nobody",
            "alert_uuid": None,
            "data": {
                "reason": "maintenance",
                "instanceIds": list(item.ctx.maintenance.instance_ids),
                "routingKey": item.routed_key,
                "policyIds": list(policies),
            },
        }
        plan.events.append((muted, incident))
    return incident
