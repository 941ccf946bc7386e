"""Every table module, imported in one place so metadata (and Alembic) sees the whole schema."""

from openoncall.alert_rules.models import AlertRule, AlertRuleAnnotation
from openoncall.alerts.models import Alert
from openoncall.audit.models import AuditEvent
from openoncall.calendar.models import CalendarFeed
from openoncall.chat.models import OrgEvent
from openoncall.contacts.models import ContactMethod
from openoncall.deliveries.models import Delivery
from openoncall.engine.heartbeat import EngineHeartbeat
from openoncall.escalation.models import EscalationProgress
from openoncall.importers.models import ImportedObject
from openoncall.incidents.models import (
    Incident,
    IncidentCounter,
    IncidentEvent,
    IncidentNote,
    IncidentPagedPolicy,
    IncidentPagedTeam,
    IncidentPagedUser,
)
from openoncall.invitations.models import UserInvitation
from openoncall.jobs.models import Job
from openoncall.links.models import ProviderRequest
from openoncall.maintenance.models import MaintenanceMode
from openoncall.orgs.models import ApiKey, ApiKeyUsage, InstanceSecret, Organization
from openoncall.overrides.models import OnCallTake, OverrideAssignment, ScheduledOverride
from openoncall.paging.models import UserPage
from openoncall.paging_policies.models import PagingRule, PagingStep
from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.routing.models import RoutingKey, RoutingKeyTarget
from openoncall.schedules.models import OnCallVersion
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User
from openoncall.web.models import WebSession
from openoncall.webhooks.models import Webhook

__all__ = [
    "Alert",
    "AlertRule",
    "AlertRuleAnnotation",
    "ApiKey",
    "ApiKeyUsage",
    "AuditEvent",
    "CalendarFeed",
    "ContactMethod",
    "Delivery",
    "EngineHeartbeat",
    "EscalationEntry",
    "EscalationPolicy",
    "EscalationProgress",
    "EscalationStep",
    "ImportedObject",
    "Incident",
    "IncidentCounter",
    "IncidentEvent",
    "IncidentNote",
    "IncidentPagedPolicy",
    "IncidentPagedTeam",
    "IncidentPagedUser",
    "InstanceSecret",
    "Job",
    "MaintenanceMode",
    "OnCallTake",
    "OnCallVersion",
    "OrgEvent",
    "Organization",
    "OverrideAssignment",
    "PagingRule",
    "PagingStep",
    "ProviderRequest",
    "RotationGroup",
    "RotationMember",
    "RotationShift",
    "RoutingKey",
    "RoutingKeyTarget",
    "ScheduledOverride",
    "Team",
    "TeamMember",
    "User",
    "UserInvitation",
    "UserPage",
    "WebSession",
    "Webhook",
]
