"""Every table module, imported in one place so metadata (and Alembic) sees the whole schema."""

from openoncall.contacts.models import ContactMethod
from openoncall.engine.jobs import Job
from openoncall.orgs.models import ApiKey, ApiKeyUsage, InstanceSecret, Organization
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User

__all__ = [
    "ApiKey",
    "ApiKeyUsage",
    "ContactMethod",
    "InstanceSecret",
    "Job",
    "Organization",
    "Team",
    "TeamMember",
    "User",
]
