"""Use cases for personal paging policies, and the engine's view of them. Never commits.

A user without stored steps follows the default policy: step 0 emails their account
address at once (and pushes to their devices, if any); after 5 minutes, step 1 texts their
first phone, if any. The first change through the API stores that default and then applies
the change, so an edit never loses the steps the user saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.contacts.service import find_contact_by_id, list_contacts
from openoncall.errors import InvalidInput, NotFound
from openoncall.paging_policies.models import PagingRule, PagingStep
from openoncall.paging_policies.types import TIMEOUT_MINUTES, NotificationType
from openoncall.users.models import User

DEFAULT_TIMEOUT_MINUTES = 5

# Which kind of contact each notification type reaches; push goes to every device.
CONTACT_KIND: dict[NotificationType, ContactKind] = {
    NotificationType.EMAIL: ContactKind.EMAIL,
    NotificationType.SMS: ContactKind.PHONE,
    NotificationType.PHONE: ContactKind.PHONE,
}


# --- the engine's view ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PagingRuleView:
    """One delivery: a notification type to one contact method (its id and address)."""

    notification_type: NotificationType
    contact_id: int
    value: str


@dataclass(frozen=True, slots=True)
class PagingStepView:
    """Step `index` sends `rules` at once; the next step follows after `timeout_minutes`
    if the incident is still unacknowledged, and the last step repeats at that interval."""

    index: int
    timeout_minutes: int
    rules: tuple[PagingRuleView, ...]


def load_paging_steps(session: Session, org_id: int, user_id: int) -> list[PagingStepView]:
    """A user's steps, push rules expanded to one rule per device (none when no device)."""
    # By primary key: the engine has the user in the session already.
    user = session.get(User, user_id)
    if user is None or user.org_id != org_id:
        raise NotFound("User not found", field="user")
    # All of them at once: the default policy and push rules read them, and the stored rules'
    # contacts then come from the session's identity map.
    contacts = list_contacts(session, org_id, user)
    devices = [c for c in contacts if c.kind == ContactKind.DEVICE]
    views: list[PagingStepView] = []
    for step in policy_steps(session, org_id, user, contacts=contacts):
        rules: list[PagingRuleView] = []
        for rule in step.rules:
            if rule.notification_type == NotificationType.PUSH:
                rules.extend(PagingRuleView(NotificationType.PUSH, d.id, d.value) for d in devices)
            elif rule.contact is not None:
                rules.append(
                    PagingRuleView(rule.notification_type, rule.contact.id, rule.contact.value)
                )
        views.append(PagingStepView(step.index, step.timeout_minutes, tuple(rules)))
    return views


# --- the API's view ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    index: int
    notification_type: NotificationType
    contact: ContactMethod | None  # None for push


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    timeout_minutes: int
    rules: list[Rule]


@dataclass(frozen=True, slots=True)
class RuleInput:
    """A rule as a client sends it: a type and, except for push, a contact id."""

    notification_type: str
    contact_id: int | None = None
    contact_type: str | None = None


def default_steps(
    session: Session, org_id: int, user: User, contacts: Sequence[ContactMethod] | None = None
) -> list[Step]:
    """The default policy over the user's contacts (`contacts`: all of them, by rank, when the
    caller has them already)."""
    if contacts is None:
        contacts = list_contacts(session, org_id, user)
    first: list[Rule] = []
    # The Default email contact create_user made: the user's oldest email contact.
    emails = [c for c in contacts if c.kind == ContactKind.EMAIL]
    email = min(emails, key=lambda c: c.id, default=None)
    if email is not None:
        first.append(Rule(0, NotificationType.EMAIL, email))
    if any(c.kind == ContactKind.DEVICE for c in contacts):
        first.append(Rule(len(first), NotificationType.PUSH, None))
    steps = [Step(0, DEFAULT_TIMEOUT_MINUTES, first)]
    phones = [c for c in contacts if c.kind == ContactKind.PHONE]
    if phones:
        steps.append(Step(1, DEFAULT_TIMEOUT_MINUTES, [Rule(0, NotificationType.SMS, phones[0])]))
    return steps


def _stored_steps(session: Session, org_id: int, user: User) -> list[PagingStep]:
    return list(
        session.scalars(
            select(PagingStep)
            .where(PagingStep.org_id == org_id, PagingStep.user_id == user.id)
            .order_by(PagingStep.position)
        )
    )


def _stored_rules(session: Session, step: PagingStep) -> list[PagingRule]:
    return list(
        session.scalars(
            select(PagingRule).where(PagingRule.step_id == step.id).order_by(PagingRule.position)
        )
    )


def _as_step(session: Session, index: int, row: PagingStep) -> Step:
    rules: list[Rule] = []
    for position, rule in enumerate(_stored_rules(session, row)):
        contact = (
            session.get(ContactMethod, rule.contact_method_id)
            if rule.contact_method_id is not None
            else None
        )
        rules.append(Rule(position, NotificationType(rule.notification_type), contact))
    return Step(index, row.timeout_minutes, rules)


def policy_steps(
    session: Session, org_id: int, user: User, *, contacts: Sequence[ContactMethod] | None = None
) -> list[Step]:
    """The stored steps, or the default policy when the user has never changed it."""
    rows = _stored_steps(session, org_id, user)
    if not rows:
        return default_steps(session, org_id, user, contacts)
    return [_as_step(session, i, row) for i, row in enumerate(rows)]


def get_step(session: Session, org_id: int, user: User, index: int) -> Step:
    steps = policy_steps(session, org_id, user)
    if not 0 <= index < len(steps):
        raise NotFound("Paging policy step not found", field="step")
    return steps[index]


def get_rule(session: Session, org_id: int, user: User, step: int, rule: int) -> Rule:
    found = get_step(session, org_id, user, step)
    if not 0 <= rule < len(found.rules):
        raise NotFound("Paging policy rule not found", field="rule")
    return found.rules[rule]


def _materialize(session: Session, org_id: int, user: User) -> list[PagingStep]:
    """The stored step rows, storing the default policy first if there are none."""
    rows = _stored_steps(session, org_id, user)
    if rows:
        return rows
    for step in default_steps(session, org_id, user):
        row = PagingStep(
            org_id=org_id,
            user_id=user.id,
            position=step.index,
            timeout_minutes=step.timeout_minutes,
        )
        session.add(row)
        session.flush()
        for rule in step.rules:
            session.add(
                PagingRule(
                    org_id=org_id,
                    step_id=row.id,
                    position=rule.index,
                    notification_type=rule.notification_type,
                    contact_method_id=rule.contact.id if rule.contact else None,
                )
            )
        rows.append(row)
    session.flush()
    return rows


def _check_timeout(timeout: int) -> int:
    if timeout not in TIMEOUT_MINUTES:
        allowed = ", ".join(str(m) for m in TIMEOUT_MINUTES)
        raise InvalidInput(f"timeout must be one of {allowed} (minutes)", field="timeout")
    return timeout


def _resolve(
    session: Session, org_id: int, user: User, rule: RuleInput, prefix: str
) -> tuple[NotificationType, int | None]:
    """Validate one rule: a known type, and for email/SMS/phone a contact of the right kind."""
    try:
        kind = NotificationType(rule.notification_type)
    except ValueError:
        allowed = ", ".join(t.value for t in NotificationType)
        raise InvalidInput(
            f"Unknown notification type {rule.notification_type!r} (one of {allowed})",
            field=f"{prefix}type",
        ) from None
    if kind == NotificationType.PUSH:
        return kind, None
    wanted = CONTACT_KIND[kind]
    if rule.contact_id is None:
        raise InvalidInput(f"A {kind} rule needs a contact id", field=f"{prefix}contact.id")
    if rule.contact_type is not None and rule.contact_type != wanted:
        raise InvalidInput(
            f"A {kind} rule needs a {wanted} contact, not {rule.contact_type}",
            field=f"{prefix}contact.type",
        )
    contact = find_contact_by_id(session, org_id, user, rule.contact_id)
    if contact is None or contact.kind != wanted:
        raise InvalidInput(
            f"{user.username} has no {wanted} contact with id {rule.contact_id}",
            field=f"{prefix}contact.id",
        )
    return kind, contact.id


def _write_rules(
    session: Session,
    org_id: int,
    step: PagingStep,
    rules: list[tuple[NotificationType, int | None]],
) -> None:
    for old in _stored_rules(session, step):
        session.delete(old)
    session.flush()
    for position, (kind, contact_id) in enumerate(rules):
        session.add(
            PagingRule(
                org_id=org_id,
                step_id=step.id,
                position=position,
                notification_type=kind,
                contact_method_id=contact_id,
            )
        )
    session.flush()


def add_step(
    session: Session, org_id: int, user: User, *, timeout: int, rules: list[RuleInput]
) -> Step:
    timeout = _check_timeout(timeout)
    resolved = [_resolve(session, org_id, user, r, f"rules.{i}.") for i, r in enumerate(rules)]
    rows = _materialize(session, org_id, user)
    position = rows[-1].position + 1 if rows else 0
    row = PagingStep(org_id=org_id, user_id=user.id, position=position, timeout_minutes=timeout)
    session.add(row)
    session.flush()
    _write_rules(session, org_id, row, resolved)
    return _as_step(session, len(rows), row)


def replace_steps(
    session: Session, org_id: int, user: User, steps: list[tuple[int, list[RuleInput]]]
) -> None:
    """Replace the whole policy with `steps` (timeout, rules); e.g. an import's. Every rule
    is checked before anything is removed."""
    resolved = [
        (
            _check_timeout(timeout),
            [
                _resolve(session, org_id, user, r, f"steps.{i}.rules.{j}.")
                for j, r in enumerate(rules)
            ],
        )
        for i, (timeout, rules) in enumerate(steps)
    ]
    for row in _stored_steps(session, org_id, user):
        for rule in _stored_rules(session, row):
            session.delete(rule)
        session.delete(row)
    session.flush()
    for position, (timeout, rules_resolved) in enumerate(resolved):
        row = PagingStep(org_id=org_id, user_id=user.id, position=position, timeout_minutes=timeout)
        session.add(row)
        session.flush()
        _write_rules(session, org_id, row, rules_resolved)


def _step_row(session: Session, org_id: int, user: User, index: int) -> PagingStep:
    get_step(session, org_id, user, index)  # 404 before anything is stored
    return _materialize(session, org_id, user)[index]


def update_step(
    session: Session, org_id: int, user: User, index: int, *, timeout: int, rules: list[RuleInput]
) -> Step:
    """Replace a step's timeout and rules."""
    get_step(session, org_id, user, index)
    timeout = _check_timeout(timeout)
    resolved = [_resolve(session, org_id, user, r, f"rules.{i}.") for i, r in enumerate(rules)]
    row = _step_row(session, org_id, user, index)
    row.timeout_minutes = timeout
    _write_rules(session, org_id, row, resolved)
    return _as_step(session, index, row)


def add_rule(session: Session, org_id: int, user: User, index: int, rule: RuleInput) -> Rule:
    get_step(session, org_id, user, index)
    resolved = _resolve(session, org_id, user, rule, "")
    row = _step_row(session, org_id, user, index)
    current = [
        (NotificationType(r.notification_type), r.contact_method_id)
        for r in _stored_rules(session, row)
    ]
    _write_rules(session, org_id, row, [*current, resolved])
    return _as_step(session, index, row).rules[-1]


def update_rule(
    session: Session, org_id: int, user: User, index: int, rule_index: int, *, rule: RuleInput
) -> Rule:
    get_rule(session, org_id, user, index, rule_index)
    resolved = _resolve(session, org_id, user, rule, "")
    row = _step_row(session, org_id, user, index)
    current = [
        (NotificationType(r.notification_type), r.contact_method_id)
        for r in _stored_rules(session, row)
    ]
    current[rule_index] = resolved
    _write_rules(session, org_id, row, current)
    return _as_step(session, index, row).rules[rule_index]


def delete_rule(session: Session, org_id: int, user: User, index: int, rule_index: int) -> Rule:
    """Delete a rule; later rules move up one index. Answers the deleted rule."""
    deleted = get_rule(session, org_id, user, index, rule_index)
    row = _step_row(session, org_id, user, index)
    current = [
        (NotificationType(r.notification_type), r.contact_method_id)
        for r in _stored_rules(session, row)
    ]
    del current[rule_index]
    _write_rules(session, org_id, row, current)
    return deleted
