"""Read side of `GET /api-reporting/v2/incidents`: filtered, paginated incident history.

The vendor serves this from a reporting store "up to 15 minutes behind"; we serve live rows
(NOTES (e) 12), newest incident first. Phases, states and transition names are lower case
here (NOTES (f)): `triggered`, `acknowledged`, `resolved`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.orm import Session

from openoncall.api.wire import iso_z
from openoncall.incidents.models import Incident
from openoncall.incidents.queries import INCIDENT_COLUMNS, RelatedRows, optional_iso
from openoncall.reporting.incident_filters import REPORTING_PHASE, ReportingFilter


def _lower_phase(name: str) -> str:
    return REPORTING_PHASE.get(name, name.lower())


def reporting_wire(incident: Row[*tuple[Any, ...]], related: RelatedRows) -> dict[str, Any]:
    """ReportingIncidentInfo's wire form: phases and states in lower case (NOTES (f))."""
    transitions = [
        {**t, "name": _lower_phase(t["name"])} for t in related.transitions.get(incident.id, [])
    ]
    return {
        "incidentNumber": str(incident.number),
        "startTime": iso_z(incident.started_at),
        "currentPhase": _lower_phase(incident.phase),
        "alertCount": incident.alert_count,
        "lastAlertTime": optional_iso(incident.last_alert_at),
        "lastAlertId": incident.last_alert_uuid,
        "entityId": incident.entity_id,
        "entityDisplayName": incident.entity_display_name or None,
        "entityState": incident.entity_state.lower() if incident.entity_state else None,
        "entityType": incident.entity_type.lower() if incident.entity_type else None,
        "host": incident.host,
        "service": incident.service,
        "routingKey": incident.routing_key,
        "pagedUsers": related.users.get(incident.id, []),
        "pagedTeams": related.teams.get(incident.id, []),
        "pagedPolicies": related.policies.get(incident.id, []),
        "transitions": transitions,
    }


def _history_conditions(org_id: int, flt: ReportingFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Incident.org_id == org_id,
        Incident.phase.in_(sorted(flt.phases)),
    ]
    if flt.entity_id is not None:
        conditions.append(Incident.entity_id == flt.entity_id)
    if flt.numbers:
        conditions.append(
            or_(
                *(
                    Incident.number == r.low
                    if r.low == r.high
                    else and_(Incident.number >= r.low, Incident.number <= r.high)
                    for r in flt.numbers
                )
            )
        )
    if flt.started_after is not None:
        conditions.append(Incident.started_at >= flt.started_after)
    if flt.started_before is not None:
        conditions.append(Incident.started_at <= flt.started_before)
    if flt.hosts:
        conditions.append(Incident.host.in_(flt.hosts))
    if flt.services:
        conditions.append(Incident.service.in_(flt.services))
    if flt.routing_key is not None:
        conditions.append(Incident.routing_key == flt.routing_key)
    return conditions


def search_incident_history(session: Session, org_id: int, flt: ReportingFilter) -> dict[str, Any]:
    """`GET /api-reporting/v2/incidents`: filtered, newest first, one page plus the total, in
    ReportingIncidentList's wire form."""
    conditions = _history_conditions(org_id, flt)
    total = session.scalar(select(func.count()).select_from(Incident).where(*conditions)) or 0
    page = (
        select(*INCIDENT_COLUMNS)
        .where(*conditions)
        .order_by(Incident.number.desc())
        .offset(flt.offset)
        .limit(flt.limit)
    )
    incidents = session.execute(page).all()
    related = RelatedRows(session, org_id, [i.id for i in incidents])
    return {
        "offset": flt.offset,
        "limit": flt.limit,
        "total": total,
        "incidents": [reporting_wire(i, related) for i in incidents],
    }
