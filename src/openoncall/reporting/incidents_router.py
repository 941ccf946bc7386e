"""`GET /api-reporting/v2/incidents`: incident history with every filter and pagination."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from openoncall.api.responses import JsonBytes
from openoncall.auth.deps import CallerDep, DbSession, public_router
from openoncall.incidents.schemas import ReportingIncidentList
from openoncall.reporting.incident_filters import parse_reporting_filter
from openoncall.reporting.incidents import search_incident_history

router = public_router(tags=["Reporting"])

# Every parameter arrives as text and is checked by the pure parser, so a bad one is a 400
# naming it in our own words (NOTES (d)), never a 422 or a 500.
Text = Annotated[str | None, Query(max_length=4096)]


@router.get("/api-reporting/v2/incidents", response_model=ReportingIncidentList)
def incident_history(
    *,
    session: DbSession,
    caller: CallerDep,
    offset: Text = None,
    limit: Text = None,
    entity_id: Annotated[str | None, Query(alias="entityId", max_length=512)] = None,
    incident_number: Annotated[str | None, Query(alias="incidentNumber", max_length=4096)] = None,
    started_after: Annotated[str | None, Query(alias="startedAfter", max_length=64)] = None,
    started_before: Annotated[str | None, Query(alias="startedBefore", max_length=64)] = None,
    host: Text = None,
    service: Text = None,
    current_phase: Annotated[str | None, Query(alias="currentPhase", max_length=256)] = None,
    routing_key: Annotated[str | None, Query(alias="routingKey", max_length=255)] = None,
) -> Response:
    """Search incident history; only resolved incidents unless `currentPhase` says otherwise."""
    flt = parse_reporting_filter(
        offset=offset,
        limit=limit,
        entity_id=entity_id,
        incident_number=incident_number,
        started_after=started_after,
        started_before=started_before,
        host=host,
        service=service,
        current_phase=current_phase,
        routing_key=routing_key,
    )
    return JsonBytes.of(search_incident_history(session, caller.org_id, flt))
