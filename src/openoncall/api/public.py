"""Mounts every domain router at its VictorOps path."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from openoncall.alert_rules.router import router as alert_rules_router
from openoncall.alerts.router import router as alerts_router
from openoncall.api.docs import router as docs_router
from openoncall.api.health import router as health_router
from openoncall.calendar.router import feed_router as calendar_feed_router
from openoncall.calendar.router import router as calendar_router
from openoncall.chat.router import router as chat_router
from openoncall.contacts.router import router as contacts_router
from openoncall.incidents.router import router as incidents_router
from openoncall.links.router import router as links_router
from openoncall.maintenance.router import router as maintenance_router
from openoncall.overrides.router import router as overrides_router
from openoncall.paging_policies.router import router as paging_policies_router
from openoncall.policies.router import router as policies_router
from openoncall.reporting.incidents_router import router as reporting_incidents_router
from openoncall.reporting.oncall_log_router import router as oncall_log_router
from openoncall.rotations.router import router as rotations_router
from openoncall.routing.router import router as routing_router
from openoncall.schedules.router import router as schedules_router
from openoncall.stakeholders.router import router as stakeholders_router
from openoncall.teams.router import router as teams_router
from openoncall.users.router import router as users_router
from openoncall.webhooks.router import router as webhooks_router

# Each domain adds its router(s) here; order does not matter (paths never overlap).
ROUTERS: list[APIRouter] = [
    alerts_router,
    alert_rules_router,
    maintenance_router,
    routing_router,
    users_router,
    teams_router,
    docs_router,
    health_router,
    chat_router,
    contacts_router,
    incidents_router,
    paging_policies_router,
    policies_router,
    rotations_router,
    overrides_router,
    schedules_router,
    oncall_log_router,
    calendar_router,
    calendar_feed_router,
    reporting_incidents_router,
    stakeholders_router,
    webhooks_router,
    links_router,
]


def include_routers(app: FastAPI) -> None:
    """Every route straight onto the app's own router (issue 11): `include_router` keeps each
    router as a nested branch that every request walks, twice for the one that matches, which
    cost more than the rest of a cheap request. The routes already carry their routers'
    dependencies and tags, and no router here has a prefix."""
    for router in ROUTERS:
        app.router.routes.extend(router.routes)
