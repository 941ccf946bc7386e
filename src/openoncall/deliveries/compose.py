"""PURE: the words of a page: subject, body and structured fields for each medium."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What a page says about an incident (copied from the incident and its last alert)."""

    number: int
    entity_id: str
    entity_display_name: str
    state_message: str
    phase: str
    routing_key: str | None
    started_at: datetime
    alert_id: str | None = None
    host: str | None = None
    service: str | None = None

    @property
    def title(self) -> str:
        return self.entity_display_name or self.entity_id


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    data: dict[str, Any]


def incident_fields(facts: IncidentFacts) -> dict[str, Any]:
    """The JSON the webhook body and the channels' `data` carry."""
    fields: dict[str, Any] = {
        "incidentNumber": str(facts.number),
        "entityId": facts.entity_id,
        "entityDisplayName": facts.entity_display_name,
        "stateMessage": facts.state_message,
        "currentPhase": facts.phase,
        "routingKey": facts.routing_key,
        "startTime": facts.started_at.isoformat().replace("+00:00", "Z"),
    }
    if facts.alert_id:
        fields["alert_id"] = facts.alert_id
    if facts.host:
        fields["host"] = facts.host
    if facts.service:
        fields["service"] = facts.service
    return fields


def page_message(
    facts: IncidentFacts, *, reason: str, ack_url: str | None, resolve_url: str | None
) -> Message:
    subject = f"[OpenOnCall] Incident #{facts.number}: {facts.title}"
    lines = [
        f"Incident #{facts.number} is {facts.phase}: {facts.title}",
        "",
    ]
    if facts.state_message:
        lines += [facts.state_message, ""]
    if facts.alert_id:
        lines.append(f"alert_id: {facts.alert_id}")
    if facts.routing_key:
        lines.append(f"Routing key: {facts.routing_key}")
    lines.append(f"Why you: {reason}")
    if ack_url:
        lines += ["", f"Acknowledge: {ack_url}"]
    if resolve_url:
        lines.append(f"Resolve: {resolve_url}")
    data = incident_fields(facts)
    data["reason"] = reason
    if ack_url:
        data["ack_url"] = ack_url
    if resolve_url:
        data["resolve_url"] = resolve_url
    return Message(subject=subject, body="\n".join(lines), data=data)


def sms_text(facts: IncidentFacts, *, ack_url: str | None) -> str:
    """Short: SMS segments are 160 characters; reply words are explained once."""
    text = f"#{facts.number} {facts.phase}: {facts.title}"[:110]
    reply = f" Reply 'ack {facts.number}' or 'resolve {facts.number}'."
    link = f" {ack_url}" if ack_url else ""
    return text + reply + link


def stakeholder_message(
    *, title: str, message: str, sender: str | None, incident_number: str | None
) -> Message:
    subject = f"[OpenOnCall] {title}" if title else "[OpenOnCall] Stakeholder message"
    lines = [message, ""]
    if incident_number:
        lines.append(f"About incident #{incident_number}")
    if sender:
        lines.append(f"From {sender}")
    data: dict[str, Any] = {"title": title, "message": message}
    if incident_number:
        data["incidentNumber"] = incident_number
    return Message(subject=subject, body="\n".join(lines).rstrip(), data=data)
