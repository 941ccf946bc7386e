"""Paging-policy endpoints: vocabularies (/policies/types/…) and personal policies
(/profile/{username}/policies…, /user/{user}/policies)."""

from __future__ import annotations

from openoncall.api.paging import PageDep
from openoncall.api.responses import JsonBytes, model_bytes
from openoncall.auth.deps import CallerDep, DbSession, public_router
from openoncall.contacts.models import ContactKind
from openoncall.paging_policies import service, types
from openoncall.paging_policies.schemas import (
    ContactRef,
    ContactTypes,
    NamedPolicy,
    NotificationTypes,
    PagingPolicySummary,
    PoliciesV2,
    PolicyRead,
    RuleAdd,
    RuleEnvelope,
    StepAdd,
    StepEnvelope,
    StepRead,
    StepRuleRead,
    TimeoutDescription,
    TimeoutTypes,
    TypeDescription,
    UserPolicies,
)
from openoncall.users.service import get_user

router = public_router(tags=["Paging Policies"])

TYPES = "/api-public/v1/policies/types"
PROFILE = "/api-public/v1/profile/{username}/policies"


# Constant answers: encoded once at import, served from the event loop without a thread hop.
_NOTIFICATION_TYPES = model_bytes(
    NotificationTypes(
        notification_types=[
            TypeDescription(type=t.value, description=d)
            for t, d in types.NOTIFICATION_DESCRIPTIONS.items()
        ],
        self_url=f"{TYPES}/notifications",
    )
)
_CONTACT_TYPES = model_bytes(
    ContactTypes(
        contact_types=[
            TypeDescription(type=t.value, description=d)
            for t, d in types.CONTACT_DESCRIPTIONS.items()
        ],
        self_url=f"{TYPES}/contacts",
    )
)
_TIMEOUT_TYPES = model_bytes(
    TimeoutTypes(
        timeout_types=[
            TimeoutDescription(type=m, description=types.timeout_description(m))
            for m in types.TIMEOUT_MINUTES
        ],
        self_url=f"{TYPES}/timeouts",
    )
)


@router.get(f"{TYPES}/notifications", response_model=NotificationTypes)
async def get_notification_types() -> JsonBytes:
    """Get the available notification types."""
    return JsonBytes(_NOTIFICATION_TYPES)


@router.get(f"{TYPES}/contacts", response_model=ContactTypes)
async def get_contact_types() -> JsonBytes:
    """Get the available contact types."""
    return JsonBytes(_CONTACT_TYPES)


@router.get(f"{TYPES}/timeouts", response_model=TimeoutTypes)
async def get_timeout_types() -> JsonBytes:
    """Get the available timeout values."""
    return JsonBytes(_TIMEOUT_TYPES)


# --- personal paging policies -------------------------------------------------------------


def _url(username: str, *parts: int) -> str:
    return "/".join([PROFILE.format(username=username), *(str(p) for p in parts)])


def _rule(rule: service.Rule) -> StepRuleRead:
    contact = None
    if rule.contact is not None:
        kind = "phone" if rule.contact.kind == ContactKind.PHONE else "email"
        contact = ContactRef(id=rule.contact.id, type=kind)
    return StepRuleRead(index=rule.index, type=rule.notification_type.value, contact=contact)


def _step(step: service.Step) -> StepRead:
    return StepRead(
        index=step.index, timeout=step.timeout_minutes, rules=[_rule(r) for r in step.rules]
    )


def _input(rule: RuleAdd) -> service.RuleInput:
    return service.RuleInput(
        notification_type=rule.type,
        contact_id=rule.contact.id if rule.contact else None,
        contact_type=rule.contact.type if rule.contact else None,
    )


@router.get(PROFILE, response_model=PolicyRead)
def get_policy(session: DbSession, caller: CallerDep, username: str) -> PolicyRead:
    """Get the user's paging policy."""
    user = get_user(session, caller.org_id, username, field="username")
    steps = service.policy_steps(session, caller.org_id, user)
    return PolicyRead(self_url=_url(user.username), steps=[_step(s) for s in steps])


@router.post(PROFILE, response_model=StepEnvelope)
def add_step(session: DbSession, caller: CallerDep, username: str, body: StepAdd) -> StepEnvelope:
    """Create a paging policy step (appended after the last one)."""
    user = get_user(session, caller.org_id, username, field="username")
    rules = [_input(r) for r in body.rules]
    step = service.add_step(session, caller.org_id, user, timeout=body.timeout, rules=rules)
    return StepEnvelope(self_url=_url(user.username, step.index), step=_step(step))


@router.get(f"{PROFILE}/{{step}}", response_model=StepEnvelope)
def get_step(session: DbSession, caller: CallerDep, username: str, step: int) -> StepEnvelope:
    """Get a paging policy step."""
    user = get_user(session, caller.org_id, username, field="username")
    found = service.get_step(session, caller.org_id, user, step)
    return StepEnvelope(self_url=_url(user.username, step), step=_step(found))


@router.post(f"{PROFILE}/{{step}}", response_model=RuleEnvelope)
def add_rule(
    session: DbSession, caller: CallerDep, username: str, step: int, body: RuleAdd
) -> RuleEnvelope:
    """Create a rule for a paging policy step (appended after the last one)."""
    user = get_user(session, caller.org_id, username, field="username")
    rule = service.add_rule(session, caller.org_id, user, step, _input(body))
    return RuleEnvelope(self_url=_url(user.username, step, rule.index), step_rule=_rule(rule))


@router.put(f"{PROFILE}/{{step}}", response_model=StepEnvelope)
def update_step(
    session: DbSession, caller: CallerDep, username: str, step: int, body: StepAdd
) -> StepEnvelope:
    """Update a paging policy step: its timeout and the whole list of its rules."""
    user = get_user(session, caller.org_id, username, field="username")
    rules = [_input(r) for r in body.rules]
    updated = service.update_step(
        session, caller.org_id, user, step, timeout=body.timeout, rules=rules
    )
    return StepEnvelope(self_url=_url(user.username, step), step=_step(updated))


@router.get(f"{PROFILE}/{{step}}/{{rule}}", response_model=RuleEnvelope)
def get_rule(
    session: DbSession, caller: CallerDep, username: str, step: int, rule: int
) -> RuleEnvelope:
    """Get a rule from a paging policy step."""
    user = get_user(session, caller.org_id, username, field="username")
    found = service.get_rule(session, caller.org_id, user, step, rule)
    return RuleEnvelope(self_url=_url(user.username, step, rule), step_rule=_rule(found))


@router.put(f"{PROFILE}/{{step}}/{{rule}}", response_model=RuleEnvelope)
def update_rule(
    session: DbSession, caller: CallerDep, *, username: str, step: int, rule: int, body: RuleAdd
) -> RuleEnvelope:
    """Update a rule for a paging policy step."""
    user = get_user(session, caller.org_id, username, field="username")
    updated = service.update_rule(session, caller.org_id, user, step, rule, rule=_input(body))
    return RuleEnvelope(self_url=_url(user.username, step, rule), step_rule=_rule(updated))


@router.delete(f"{PROFILE}/{{step}}/{{rule}}", response_model=RuleEnvelope)
def delete_rule(
    session: DbSession, caller: CallerDep, username: str, step: int, rule: int
) -> RuleEnvelope:
    """Delete a rule from a paging policy step; answers the deleted rule."""
    user = get_user(session, caller.org_id, username, field="username")
    deleted = service.delete_rule(session, caller.org_id, user, step, rule)
    return RuleEnvelope(self_url=_url(user.username, step, rule), step_rule=_rule(deleted))


@router.get("/api-public/v2/profile/{username}/policies", response_model=PoliciesV2)
def get_policies_v2(
    session: DbSession, caller: CallerDep, username: str, page: PageDep
) -> PoliciesV2:
    """Get all the user's paging policies (one, the primary, in OpenOnCall)."""
    user = get_user(session, caller.org_id, username, field="username")
    steps = [_step(s) for s in service.policy_steps(session, caller.org_id, user)]
    return PoliciesV2(
        self_url=f"/api-public/v2/profile/{user.username}/policies",
        policies=page.of([NamedPolicy(name="Primary", self_url=_url(user.username), steps=steps)]),
    )


@router.get("/api-public/v1/user/{user}/policies", response_model=UserPolicies)
def get_user_policies(
    session: DbSession, caller: CallerDep, user: str, page: PageDep
) -> UserPolicies:
    """Get a list of paging policies for a user: one line per rule, in step order."""
    found = get_user(session, caller.org_id, user)
    steps = service.policy_steps(session, caller.org_id, found)
    return UserPolicies(
        username=found.username,
        user_id=found.id,
        policies=page.of(
            [
                PagingPolicySummary(
                    order=step.index,
                    timeout=step.timeout_minutes,
                    contact_type=rule.notification_type.value,
                    ext_id=rule.contact.ext_id if rule.contact else None,
                )
                for step in steps
                for rule in step.rules
            ]
        ),
    )
