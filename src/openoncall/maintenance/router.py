"""Maintenance-mode endpoints: GET /api-public/v1/maintenancemode, POST …/start, PUT …/{id}/end."""

from __future__ import annotations

from sqlalchemy.orm import Session

from openoncall.api.paging import PageDep
from openoncall.api.wire import epoch_ms
from openoncall.auth.api_keys import Caller
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.incidents.queries import actor_for_key
from openoncall.list_window import WHOLE, Page
from openoncall.maintenance import service
from openoncall.maintenance.schemas import (
    ActiveMaintenanceMode,
    MaintenanceModeState,
    MaintenanceModeTarget,
    StartMaintenanceMode,
)

router = public_router(tags=["Maintenance Mode"])

PATH = "/api-public/v1/maintenancemode"


def _state(session: Session, caller: Caller, page: Page = WHOLE) -> MaintenanceModeState:
    return MaintenanceModeState(
        company_id=caller.org_slug,
        active_instances=[
            ActiveMaintenanceMode(
                instance_id=row.instance_id,
                started_by=row.started_by,
                started_at=epoch_ms(row.started_at),
                is_global=row.is_global,
                targets=[MaintenanceModeTarget(type=service.TARGET_TYPE, names=row.routing_keys)],
            )
            for row in page.of(service.list_active(session, caller.org_id))
        ],
    )


@router.get(PATH, response_model=MaintenanceModeState)
def get_maintenance_mode(
    session: DbSession, caller: CallerDep, page: PageDep
) -> MaintenanceModeState:
    """The organization's active maintenance windows."""
    return _state(session, caller, page)


@router.post(
    f"{PATH}/start",
    response_model=MaintenanceModeState,
    responses={409: {"description": "A global maintenance mode is already active."}},
)
def start_maintenance_mode(
    body: StartMaintenanceMode, session: DbSession, caller: CallerDep, now: Now
) -> MaintenanceModeState:
    """Start maintenance for routing keys; an empty `names` list means global."""
    service.start_maintenance(
        session,
        caller.org_id,
        target_type=body.type,
        names=body.names,
        purpose=body.purpose,
        started_by=caller.actor or actor_for_key(session, caller.org_id, caller.created_by_user_id),
        by=None,  # API keys act for the whole organization (docs/roles.md)
        now=now,
    )
    return _state(session, caller)


@router.put(f"{PATH}/{{maintenancemodeid}}/end", response_model=MaintenanceModeState)
def end_maintenance_mode(
    maintenancemodeid: str, session: DbSession, caller: CallerDep, now: Now
) -> MaintenanceModeState:
    """End one maintenance window."""
    service.end_maintenance(
        session,
        caller.org_id,
        maintenancemodeid,
        ended_by=actor_for_key(session, caller.org_id, caller.created_by_user_id),
        by=None,
        now=now,
    )
    return _state(session, caller)
