"""Wire models for escalation policies (NOTES (b) "Escalation policies" and (f))."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel
from openoncall.policies.models import ExecutionType


class TeamRef(WireModel):
    name: str
    slug: str


class PolicySummary(WireModel):
    name: str
    slug: str
    self_url: str = Field(alias="_selfUrl")


class PolicyInfo(WireModel):
    policy: PolicySummary
    team: TeamRef


class PolicyInfoList(WireModel):
    policies: list[PolicyInfo]


class RotationGroupRef(WireModel):
    slug: str
    label: str | None = None


class WebhookRef(WireModel):
    slug: str
    label: str | None = None


class UserRef(WireModel):
    username: str
    first_name: str | None = None
    last_name: str | None = None


class EmailRef(WireModel):
    address: str


class TargetPolicyRef(WireModel):
    policy_slug: str


class PolicyEntry(WireModel):
    """Exactly one sub-object is set: the one that matches `executionType`."""

    execution_type: ExecutionType
    rotation_group: RotationGroupRef | None = None
    webhook: WebhookRef | None = None
    user: UserRef | None = None
    email: EmailRef | None = None
    target_policy: TargetPolicyRef | None = None


class PolicyStep(WireModel):
    timeout: int = Field(
        default=0,
        ge=0,
        le=10_080,
        description=(
            "Minutes to wait before this step runs, counted from when the previous step ran "
            "(for the first step, from when the incident opened). 0 runs it at once: "
            "steps [{timeout: 0}, {timeout: 15}] page step 1 immediately and step 2 "
            "15 minutes later if the incident is still unacknowledged."
        ),
    )
    entries: list[PolicyEntry]


class EscalationPolicyRead(WireModel):
    name: str
    slug: str
    team_slug: str
    ignore_custom_paging_policies: bool
    steps: list[PolicyStep]


class TeamSlugRef(WireModel):
    slug: str


class EscalationPolicyCreate(WireModel):
    """`teamSlug` per the spec; live clients also send `team: {slug}` (NOTES (f))."""

    name: str = Field(min_length=1, max_length=255)
    team_slug: str | None = None
    team: TeamSlugRef | None = None
    ignore_custom_paging_policies: bool = False
    steps: list[PolicyStep]
