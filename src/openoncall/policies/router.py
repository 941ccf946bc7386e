"""Escalation-policy endpoints: /api-public/v1/policies… and the deprecated team list."""

from __future__ import annotations

from openoncall.api.paging import PageDep
from openoncall.audit.actor import audit_actor
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.policies import service
from openoncall.policies.models import EscalationPolicy
from openoncall.policies.schemas import (
    EmailRef,
    EscalationPolicyCreate,
    EscalationPolicyRead,
    PolicyEntry,
    PolicyInfo,
    PolicyInfoList,
    PolicyStep,
    PolicySummary,
    RotationGroupRef,
    TargetPolicyRef,
    TeamRef,
    UserRef,
    WebhookRef,
)
from openoncall.teams.models import Team

router = public_router(tags=["Escalation Policies"])

POLICIES = "/api-public/v1/policies"


def policy_url(slug: str) -> str:
    return f"{POLICIES}/{slug}"


def _info(policy: EscalationPolicy, team: Team) -> PolicyInfo:
    return PolicyInfo(
        policy=PolicySummary(name=policy.name, slug=policy.slug, self_url=policy_url(policy.slug)),
        team=TeamRef(name=team.name, slug=team.slug),
    )


def _entry(entry: service.EntryView) -> PolicyEntry:
    group, user = entry.rotation_group, entry.user
    return PolicyEntry(
        execution_type=entry.execution_type,
        rotation_group=RotationGroupRef(slug=group.slug, label=group.label) if group else None,
        user=(
            UserRef(username=user.username, first_name=user.first_name, last_name=user.last_name)
            if user
            else None
        ),
        email=EmailRef(address=entry.email) if entry.email is not None else None,
        webhook=(
            WebhookRef(slug=entry.webhook_slug, label=entry.webhook_label)
            if entry.webhook_slug is not None
            else None
        ),
        target_policy=(
            TargetPolicyRef(policy_slug=entry.target_policy_slug)
            if entry.target_policy_slug is not None
            else None
        ),
    )


def _read(view: service.PolicyView) -> EscalationPolicyRead:
    return EscalationPolicyRead(
        name=view.policy.name,
        slug=view.policy.slug,
        team_slug=view.team.slug,
        ignore_custom_paging_policies=view.policy.is_ignoring_custom_paging_policies,
        steps=[
            PolicyStep(timeout=s.timeout_minutes, entries=[_entry(e) for e in s.entries])
            for s in view.steps
        ],
    )


def _spec(step: PolicyStep) -> service.StepSpec:
    return service.StepSpec(
        timeout_minutes=step.timeout,
        entries=[
            service.EntrySpec(
                execution_type=e.execution_type,
                rotation_group_slug=e.rotation_group.slug if e.rotation_group else None,
                username=e.user.username if e.user else None,
                email=e.email.address if e.email else None,
                webhook_slug=e.webhook.slug if e.webhook else None,
                target_policy_slug=e.target_policy.policy_slug if e.target_policy else None,
            )
            for e in step.entries
        ],
    )


@router.get(POLICIES, response_model=PolicyInfoList)
def list_policies(session: DbSession, caller: CallerDep, page: PageDep) -> PolicyInfoList:
    """Get a list of escalation policy info."""
    rows = page.of(service.list_policies(session, caller.org_id))
    return PolicyInfoList(policies=[_info(p, t) for p, t in rows])


@router.post(POLICIES, response_model=EscalationPolicyRead, response_model_exclude_none=True)
def create_policy(
    body: EscalationPolicyCreate, session: DbSession, caller: CallerDep, now: Now
) -> EscalationPolicyRead:
    """Create an escalation policy (immutable through the API afterwards)."""
    view = service.create_policy(
        session,
        caller.org_id,
        name=body.name,
        team_slug=body.team_slug or (body.team.slug if body.team else None),
        ignore_custom_paging_policies=body.ignore_custom_paging_policies,
        steps=[_spec(s) for s in body.steps],
        actor=audit_actor(session, caller),
        now=now,
    )
    return _read(view)


@router.post(
    "/api-ext/v1/policies/{policy}/steps",
    response_model=EscalationPolicyRead,
    response_model_exclude_none=True,
)
def add_policy_step(
    policy: str, body: PolicyStep, session: DbSession, caller: CallerDep, now: Now
) -> EscalationPolicyRead:
    """Append a step to an escalation policy (the vendor's web UI can; its API cannot).

    A last step with a `policy_routing` entry to the policy itself repeats the policy from
    its first step until the incident is acknowledged. Incidents already escalating keep
    the steps they started with.
    """
    view = service.add_step(
        session, caller.org_id, policy, _spec(body), actor=audit_actor(session, caller), now=now
    )
    return _read(view)


@router.get(
    f"{POLICIES}/{{policy}}", response_model=EscalationPolicyRead, response_model_exclude_none=True
)
def get_policy(policy: str, session: DbSession, caller: CallerDep) -> EscalationPolicyRead:
    """Get a specific escalation policy."""
    return _read(service.describe_policy(session, caller.org_id, policy))


@router.delete(f"{POLICIES}/{{policy}}")
def delete_policy(policy: str, session: DbSession, caller: CallerDep, now: Now) -> dict[str, str]:
    """Delete a specified escalation policy."""
    service.delete_policy(
        session, caller.org_id, policy, actor=audit_actor(session, caller), now=now
    )
    return {}


@router.get("/api-public/v1/team/{team}/policies", response_model=PolicyInfoList, deprecated=True)
def list_team_policies(
    team: str, session: DbSession, caller: CallerDep, page: PageDep
) -> PolicyInfoList:
    """Retrieve a list of escalation policies for a team (deprecated: use GET /policies)."""
    rows = page.of(service.list_policies(session, caller.org_id, team_slug=team))
    return PolicyInfoList(policies=[_info(p, t) for p, t in rows])
