"""Read side of `GET /api-reporting/v2/incidents`: filtered, paginated incident history.

The vendor serves this from a reporting store "up to 15 minutes behind"; we serve live rows
(NOTES (e) 12), newest incident first. Phases, states and transition names are lower case
here (NOTES (f)): `triggered`, `acknowledged`, `resolved`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from openoncall.api.wire import iso_z
from openoncall.incidents.models import Incident
from openoncall.incidents.queries import RelatedRows, optional_iso
from openoncall.incidents.schemas import ReportingIncidentInfo, ReportingIncidentList
from openoncall.reporting.incident_filters import REPORTING_PHASE, ReportingFilter


def _lower_phase(name: str) -> str:
    return REPORTING_PHASE.get(name, name.lower())


def reporting_info(incident: Incident, related: RelatedRows) -> ReportingIncidentInfo:
    """The v2 history item: phases and states in lower case there (NOTES (f))."""
    transitions = [
        t.model_copy(update={"name": _lower_phase(t.name)})
        for t in related.transitions.get(incident.id, [])
    ]
    return ReportingIncidentInfo(
        incident_number=str(incident.number),
        start_time=iso_z(incident.started_at),
        current_phase=_lower_phase(incident.phase),
        alert_count=incident.alert_count,
        last_alert_time=optional_iso(incident.last_alert_at),
        last_alert_id=incident.last_alert_uuid,
        entity_id=incident.entity_id,
        entity_display_name=incident.entity_display_name or None,
        entity_state=incident.entity_state.lower() if incident.entity_state else None,
        entity_type=incident.entity_type.lower() if incident.entity_type else None,
        host=incident.host,
        service=incident.service,
        routing_key=incident.routing_key,
        paged_users=related.users.get(incident.id, []),
        paged_teams=related.teams.get(incident.id, []),
        paged_policies=related.policies.get(incident.id, []),
        transitions=transitions,
    )


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


def search_incident_history(
    session: Session, org_id: int, flt: ReportingFilter
) -> ReportingIncidentList:
    """`GET /api-reporting/v2/incidents`: filtered, newest first, one page plus the total."""
    conditions = _history_conditions(org_id, flt)
    total = session.scalar(select(func.count()).select_from(Incident).where(*conditions)) or 0
    page: Select[Incident] = (
        select(Incident)
        .where(*conditions)
        .order_by(Incident.number.desc())
        .offset(flt.offset)
        .limit(flt.limit)
    )
    incidents = list(session.scalars(page))
    related = RelatedRows(session, org_id, [i.id for i in incidents])
    return ReportingIncidentList(
        offset=flt.offset,
        limit=flt.limit,
        total=total,
        incidents=[reporting_info(i, related) for i in incidents],
    )
