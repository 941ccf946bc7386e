"""Every table module, imported in one place so metadata (and Alembic) sees the whole schema."""

from openoncall.audit.models import AuditEvent
from openoncall.contacts.models import ContactMethod
from openoncall.engine.jobs import Job
from openoncall.orgs.models import ApiKey, ApiKeyUsage, InstanceSecret, Organization
from openoncall.overrides.models import OnCallTake, OverrideAssignment, ScheduledOverride
from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User

__all__ = [
    "ApiKey",
    "ApiKeyUsage",
    "AuditEvent",
    "ContactMethod",
    "EscalationEntry",
    "EscalationPolicy",
    "EscalationStep",
    "InstanceSecret",
    "Job",
    "OnCallTake",
    "Organization",
    "OverrideAssignment",
    "RotationGroup",
    "RotationMember",
    "RotationShift",
    "ScheduledOverride",
    "Team",
    "TeamMember",
    "User",
]
