"""Wire models for paging-policy vocabularies."""

from __future__ import annotations

from pydantic import Field

from openoncall.api.wire import WireModel


class TypeDescription(WireModel):
    type: str
    description: str


class TimeoutDescription(WireModel):
    type: int
    description: str


class NotificationTypes(WireModel):
    notification_types: list[TypeDescription]
    self_url: str = Field(alias="_selfUrl")


class ContactTypes(WireModel):
    contact_types: list[TypeDescription]
    self_url: str = Field(alias="_selfUrl")


class TimeoutTypes(WireModel):
    timeout_types: list[TimeoutDescription]
    self_url: str = Field(alias="_selfUrl")


class ContactRef(WireModel):
    """Contact{id, type}: the email or phone contact a rule notifies."""

    id: int
    type: str


class ContactRefIn(WireModel):
    # Row ids fit in 53 bits; larger numbers name no contact (and SQLite cannot bind them).
    id: int | None = Field(default=None, ge=0, le=2**53)
    type: str | None = None


class StepRuleRead(WireModel):
    """PagingPolicyStepRule; push rules reach every device and carry no contact."""

    index: int
    type: str
    contact: ContactRef | None


class StepRead(WireModel):
    """PagingPolicyStep; `timeout` is in minutes."""

    index: int
    timeout: int
    rules: list[StepRuleRead]


class PolicyRead(WireModel):
    self_url: str = Field(alias="_selfUrl")
    steps: list[StepRead]


class StepEnvelope(WireModel):
    self_url: str = Field(alias="_selfUrl")
    step: StepRead


class RuleEnvelope(WireModel):
    self_url: str = Field(alias="_selfUrl")
    step_rule: StepRuleRead


class RuleAdd(WireModel):
    """AddStepPayload: a rule of a step."""

    type: str
    contact: ContactRefIn | None = None


class StepAdd(WireModel):
    """AddGroupPayload: a step's timeout and rules."""

    timeout: int
    rules: list[RuleAdd] = Field(default_factory=list, max_length=20)


class NamedPolicy(WireModel):
    name: str
    self_url: str = Field(alias="_selfUrl")
    steps: list[StepRead]


class PoliciesV2(WireModel):
    """`GET /api-public/v2/profile/{username}/policies`: every policy (OpenOnCall has one)."""

    self_url: str = Field(alias="_selfUrl")
    policies: list[NamedPolicy]


class PagingPolicySummary(WireModel):
    """PagingPolicy: one line per rule; `contactType` is the rule's notification type."""

    order: int
    timeout: int
    contact_type: str
    ext_id: str | None


class UserPolicies(WireModel):
    """Policies: `GET /api-public/v1/user/{user}/policies`."""

    username: str
    user_id: int
    policies: list[PagingPolicySummary]
