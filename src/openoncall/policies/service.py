"""Use cases for escalation policies: create (validated), read, delete, append a step.

Policies created through the vendor API cannot be edited through it (NOTES (e) 10); the
vendor's web UI can, and `add_step` (an /api-ext extension) covers the one edit a repeating
policy needs: a last step that executes the policy itself. Services never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openoncall.audit.service import record_audit
from openoncall.errors import InvalidInput, NotFound, Unprocessable
from openoncall.ids import new_slug
from openoncall.policies.models import (
    EscalationEntry,
    EscalationPolicy,
    EscalationStep,
    ExecutionType,
)
from openoncall.rotations.models import RotationGroup
from openoncall.teams.models import Team
from openoncall.users.models import User
from openoncall.webhooks.models import Webhook

ROTATION_TYPES = frozenset(
    {
        ExecutionType.ROTATION_GROUP,
        ExecutionType.ROTATION_GROUP_NEXT,
        ExecutionType.ROTATION_GROUP_PREVIOUS,
    }
)


@dataclass(frozen=True, slots=True)
class EntrySpec:
    """One entry as a client asks for it: only the identifying field of its type is used."""

    execution_type: ExecutionType
    rotation_group_slug: str | None = None
    username: str | None = None
    email: str | None = None
    webhook_slug: str | None = None
    target_policy_slug: str | None = None


@dataclass(frozen=True, slots=True)
class StepSpec:
    timeout_minutes: int
    entries: list[EntrySpec]


@dataclass(frozen=True, slots=True)
class EntryView:
    execution_type: ExecutionType
    rotation_group: RotationGroup | None
    user: User | None
    email: str | None
    webhook_slug: str | None
    target_policy_slug: str | None
    webhook_label: str | None = None


@dataclass(frozen=True, slots=True)
class StepView:
    timeout_minutes: int
    entries: list[EntryView]


@dataclass(frozen=True, slots=True)
class PolicyView:
    policy: EscalationPolicy
    team: Team
    steps: list[StepView]


def get_team(session: Session, org_id: int, slug: str, *, field: str = "team") -> Team:
    team = session.scalar(select(Team).where(Team.org_id == org_id, Team.slug == slug))
    if team is None:
        raise NotFound(f"Team not found: {slug}", field=field)
    return team


def get_policy(
    session: Session, org_id: int, slug: str, *, field: str = "policy"
) -> EscalationPolicy:
    policy = session.scalar(
        select(EscalationPolicy).where(
            EscalationPolicy.org_id == org_id, EscalationPolicy.slug == slug
        )
    )
    if policy is None:
        raise NotFound(f"Escalation policy not found: {slug}", field=field)
    return policy


def list_policies(
    session: Session, org_id: int, *, team_slug: str | None = None
) -> list[tuple[EscalationPolicy, Team]]:
    """Every policy of the organization (or of one team) with its team, oldest first."""
    query = (
        select(EscalationPolicy, Team)
        .join(Team, Team.id == EscalationPolicy.team_id)
        .where(EscalationPolicy.org_id == org_id)
        .order_by(EscalationPolicy.id)
    )
    if team_slug is not None:
        team = get_team(session, org_id, team_slug)
        query = query.where(EscalationPolicy.team_id == team.id)
    return [(p, t) for p, t in session.execute(query)]


def create_policy(
    session: Session,
    org_id: int,
    *,
    name: str,
    team_slug: str | None,
    ignore_custom_paging_policies: bool,
    steps: list[StepSpec],
    actor: str,
    now: datetime,
) -> PolicyView:
    """A new policy; every referenced team, rotation group, user and policy must exist."""
    if not name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if not team_slug:
        raise InvalidInput("Missing field: teamSlug", field="teamSlug")
    team = get_team(session, org_id, team_slug, field="teamSlug")
    policy = EscalationPolicy(
        org_id=org_id,
        team_id=team.id,
        slug=new_slug("pol", 16),
        name=name.strip(),
        is_ignoring_custom_paging_policies=ignore_custom_paging_policies,
        created_at=now,
    )
    session.add(policy)
    session.flush()
    _add_steps(session, org_id, team, policy, steps)
    record_audit(
        session,
        org_id,
        actor=actor,
        action="policy.create",
        subject_type="escalation_policy",
        subject_id=policy.slug,
        detail={"name": policy.name, "team": team.slug, "steps": len(steps)},
        now=now,
    )
    return describe_policy(session, org_id, policy.slug)


def add_step(
    session: Session, org_id: int, slug: str, step: StepSpec, *, actor: str, now: datetime
) -> PolicyView:
    """Append a step to an existing policy, as the vendor's web UI can (its API cannot).

    The last step may execute the policy itself: the vendor's way to repeat a policy until
    someone acknowledges. Running incidents keep the snapshot they started with.
    """
    policy = get_policy(session, org_id, slug)
    team = session.get_one(Team, policy.team_id)
    last = session.scalar(
        select(func.max(EscalationStep.position)).where(EscalationStep.policy_id == policy.id)
    )
    position = 0 if last is None else last + 1
    _add_step_rows(session, org_id, team, policy=policy, position=position, step=step, where="")
    session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="policy.step.add",
        subject_type="escalation_policy",
        subject_id=policy.slug,
        detail={"step": position + 1, "entries": len(step.entries)},
        now=now,
    )
    return describe_policy(session, org_id, policy.slug)


def update_policy(
    session: Session,
    org_id: int,
    slug: str,
    *,
    name: str,
    steps: list[StepSpec],
    actor: str,
    now: datetime,
) -> PolicyView:
    """Rename a policy and replace all its steps (the web UI's editor; any number of steps).

    Running incidents keep the snapshot they started with; the next incident uses these.
    """
    if not name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if not steps:
        raise InvalidInput("A policy needs at least one step", field="steps")
    policy = get_policy(session, org_id, slug)
    team = session.get_one(Team, policy.team_id)
    old_steps = session.scalars(
        select(EscalationStep).where(
            EscalationStep.org_id == org_id, EscalationStep.policy_id == policy.id
        )
    ).all()
    old_entries = session.scalars(
        select(EscalationEntry).where(
            EscalationEntry.org_id == org_id,
            EscalationEntry.step_id.in_([s.id for s in old_steps]),
        )
    ).all()
    # Row by row through the session (not a bulk DELETE): the on-call cache sees each.
    for row in (*old_entries, *old_steps):
        session.delete(row)
    session.flush()
    policy.name = name.strip()
    _add_steps(session, org_id, team, policy, steps)
    record_audit(
        session,
        org_id,
        actor=actor,
        action="policy.update",
        subject_type="escalation_policy",
        subject_id=policy.slug,
        detail={"name": policy.name, "steps": len(steps)},
        now=now,
    )
    return describe_policy(session, org_id, policy.slug)


def _add_steps(
    session: Session,
    org_id: int,
    team: Team,
    policy: EscalationPolicy,
    steps: list[StepSpec],
) -> None:
    """The policy's steps in order, each validated as `steps[i]`."""
    for step_index, step in enumerate(steps):
        _add_step_rows(
            session,
            org_id,
            team,
            policy=policy,
            position=step_index,
            step=step,
            where=f"steps[{step_index}]",
        )
    session.flush()


def _add_step_rows(
    session: Session,
    org_id: int,
    team: Team,
    *,
    policy: EscalationPolicy,
    position: int,
    step: StepSpec,
    where: str,
) -> None:
    """The rows of one step and its entries; `where` prefixes the fields errors name."""
    prefix = f"{where}." if where else ""
    if step.timeout_minutes < 0:
        raise InvalidInput("timeout must not be negative", field=f"{prefix}timeout")
    step_row = EscalationStep(
        org_id=org_id, policy_id=policy.id, position=position, timeout_minutes=step.timeout_minutes
    )
    session.add(step_row)
    session.flush()
    for entry_index, entry in enumerate(step.entries):
        row = _entry_row(session, org_id, team, entry, where=f"{prefix}entries[{entry_index}]")
        row.step_id, row.position = step_row.id, entry_index
        session.add(row)


def _entry_row(
    session: Session, org_id: int, team: Team, entry: EntrySpec, *, where: str
) -> EscalationEntry:
    """The row for one entry, with the thing it names looked up; `where` names its field."""
    row = EscalationEntry(org_id=org_id, execution_type=entry.execution_type)
    kind = entry.execution_type
    if kind in ROTATION_TYPES:
        row.rotation_group_id = _rotation_group_id(session, org_id, team, entry, where)
    elif kind == ExecutionType.USER:
        field = f"{where}.user.username"
        user = session.scalar(
            select(User).where(
                User.org_id == org_id, User.username == _required(entry.username, field).lower()
            )
        )
        if user is None:
            raise NotFound(f"User not found: {entry.username}", field=field)
        row.user_id = user.id
    elif kind == ExecutionType.EMAIL:
        address = (entry.email or "").strip()
        if "@" not in address:
            raise InvalidInput(
                f"Invalid email address: {entry.email}", field=f"{where}.email.address"
            )
        row.email = address
    elif kind == ExecutionType.WEBHOOK:
        field = f"{where}.webhook.slug"
        slug = _required(entry.webhook_slug, field)
        found = session.scalar(
            select(Webhook.id).where(Webhook.org_id == org_id, Webhook.slug == slug)
        )
        if found is None:
            raise NotFound(f"Webhook not found: {slug}", field=field)
        # Entries keep the slug (the webhook's public id), as the vendor's entries do.
        row.webhook_slug = slug
    elif kind == ExecutionType.TEAM_PAGE:
        pass  # the policy's own team: nothing to look up
    else:
        field = f"{where}.targetPolicy.policySlug"
        target = get_policy(
            session, org_id, _required(entry.target_policy_slug, field), field=field
        )
        row.target_policy_id = target.id
    return row


def _required(value: str | None, field: str) -> str:
    if not value:
        raise InvalidInput(f"Missing field: {field}", field=field)
    return value


def _rotation_group_id(
    session: Session, org_id: int, team: Team, entry: EntrySpec, where: str
) -> int:
    field = f"{where}.rotationGroup.slug"
    slug = _required(entry.rotation_group_slug, field)
    group = session.scalar(
        select(RotationGroup).where(RotationGroup.org_id == org_id, RotationGroup.slug == slug)
    )
    if group is None:
        raise NotFound(f"Rotation group not found: {slug}", field=field)
    # The spec: "The rotation must exist for the same team used in this escalation policy."
    if group.team_id != team.id:
        raise InvalidInput(f"Rotation group {slug} belongs to another team", field=field)
    return group.id


def describe_policy(session: Session, org_id: int, slug: str) -> PolicyView:
    """The policy with its team and its steps, entries resolved to the things they name."""
    policy = get_policy(session, org_id, slug)
    team = session.get_one(Team, policy.team_id)
    steps = session.scalars(
        select(EscalationStep)
        .where(EscalationStep.org_id == org_id, EscalationStep.policy_id == policy.id)
        .order_by(EscalationStep.position)
    ).all()
    entries = session.scalars(
        select(EscalationEntry)
        .where(
            EscalationEntry.org_id == org_id,
            EscalationEntry.step_id.in_([s.id for s in steps]),
        )
        .order_by(EscalationEntry.position)
    ).all()
    by_step: dict[int, list[EntryView]] = defaultdict(list)
    for entry in entries:
        target_slug = None
        if entry.target_policy_id is not None:
            target_slug = session.get_one(EscalationPolicy, entry.target_policy_id).slug
        by_step[entry.step_id].append(
            EntryView(
                execution_type=ExecutionType(entry.execution_type),
                rotation_group=(
                    session.get(RotationGroup, entry.rotation_group_id)
                    if entry.rotation_group_id is not None
                    else None
                ),
                user=session.get(User, entry.user_id) if entry.user_id is not None else None,
                email=entry.email,
                webhook_slug=entry.webhook_slug,
                target_policy_slug=target_slug,
                webhook_label=(
                    session.scalar(
                        select(Webhook.label).where(
                            Webhook.org_id == org_id, Webhook.slug == entry.webhook_slug
                        )
                    )
                    if entry.webhook_slug is not None
                    else None
                ),
            )
        )
    return PolicyView(
        policy=policy,
        team=team,
        steps=[StepView(timeout_minutes=s.timeout_minutes, entries=by_step[s.id]) for s in steps],
    )


def delete_policy(session: Session, org_id: int, slug: str, *, actor: str, now: datetime) -> None:
    """Delete a policy; refused while another policy routes to it, so none breaks silently."""
    policy = get_policy(session, org_id, slug)
    routing = session.execute(
        select(EscalationPolicy.slug)
        .join(EscalationStep, EscalationStep.policy_id == EscalationPolicy.id)
        .join(EscalationEntry, EscalationEntry.step_id == EscalationStep.id)
        .where(
            EscalationEntry.org_id == org_id,
            EscalationEntry.target_policy_id == policy.id,
            EscalationPolicy.id != policy.id,
        )
    ).first()
    if routing is not None:
        raise Unprocessable(
            f"Escalation policy {slug} is the routing target of policy {routing[0]}",
            field="policy",
        )
    session.delete(policy)
    session.flush()
    record_audit(
        session,
        org_id,
        actor=actor,
        action="policy.delete",
        subject_type="escalation_policy",
        subject_id=slug,
        detail={"name": policy.name},
        now=now,
    )
