"""Escalation use cases: start paging an incident's policies, advance a policy step by step.

Runs inside the engine job's transaction: every page, its reason and the next step's job are
rows written in that transaction, so a crash before commit leaves nothing half done and a
rerun of the job finds the work already recorded. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.deliveries import service as deliveries
from openoncall.escalation import planner
from openoncall.escalation.models import EscalationProgress
from openoncall.escalation.snapshot import (
    EntrySnapshot,
    PolicyJson,
    PolicySnapshot,
    StepSnapshot,
)
from openoncall.incidents.models import (
    Incident,
    IncidentEvent,
    IncidentPagedPolicy,
    IncidentPagedUser,
    Phase,
)
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job
from openoncall.jobs.writer import enqueue
from openoncall.notify.channel import Medium
from openoncall.paging import service as personal
from openoncall.paging.models import UserPage
from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
from openoncall.rotations.models import RotationGroup
from openoncall.schedules import service as schedules
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User
from openoncall.webhooks.models import Webhook

# policy_routing may chain policies; a cycle or a very long chain stops here.
MAX_ROUTING_DEPTH = 5


@dataclass(frozen=True, slots=True)
class Paging:
    """What a paging transaction needs besides the session: links and personal policies."""

    links: deliveries.LinkMaker | None
    steps_loader: personal.StepsLoader


# ---------------------------------------------------------------------------- snapshot


def build_snapshot(session: Session, org_id: int, policy_id: int) -> PolicySnapshot | None:
    policy = session.scalar(
        select(EscalationPolicy).where(
            EscalationPolicy.org_id == org_id, EscalationPolicy.id == policy_id
        )
    )
    if policy is None:
        return None
    steps = session.scalars(
        select(EscalationStep)
        .where(EscalationStep.policy_id == policy.id)
        .order_by(EscalationStep.position)
    ).all()
    entries = session.scalars(
        select(EscalationEntry)
        .where(EscalationEntry.step_id.in_([s.id for s in steps]))
        .order_by(EscalationEntry.position)
    ).all()
    user_ids = {e.user_id for e in entries if e.user_id is not None}
    group_ids = {e.rotation_group_id for e in entries if e.rotation_group_id is not None}
    target_ids = {e.target_policy_id for e in entries if e.target_policy_id is not None}
    # Only the lookups a policy needs: most policies name no users or no other policies.
    users = (
        {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    groups = (
        {
            g.id: g
            for g in session.scalars(select(RotationGroup).where(RotationGroup.id.in_(group_ids)))
        }
        if group_ids
        else {}
    )
    targets = (
        {
            p.id: p
            for p in session.scalars(
                select(EscalationPolicy).where(EscalationPolicy.id.in_(target_ids))
            )
        }
        if target_ids
        else {}
    )
    team_name = (
        session.scalar(select(Team.name).where(Team.id == policy.team_id))
        if any(e.execution_type == planner.TEAM_PAGE for e in entries)
        else None
    )
    step_snaps: list[StepSnapshot] = []
    for step in steps:
        snaps = []
        for e in (e for e in entries if e.step_id == step.id):
            user = users.get(e.user_id) if e.user_id is not None else None
            group = groups.get(e.rotation_group_id) if e.rotation_group_id is not None else None
            target = targets.get(e.target_policy_id) if e.target_policy_id is not None else None
            snaps.append(
                EntrySnapshot(
                    execution_type=e.execution_type,
                    position=e.position,
                    rotation_group_id=e.rotation_group_id,
                    rotation_group_label=group.label if group is not None else None,
                    user_id=e.user_id,
                    username=user.username if user is not None else None,
                    email=e.email,
                    webhook_slug=e.webhook_slug,
                    target_policy_id=e.target_policy_id,
                    target_policy_slug=target.slug if target is not None else None,
                    team_id=policy.team_id if e.execution_type == planner.TEAM_PAGE else None,
                    team_name=team_name if e.execution_type == planner.TEAM_PAGE else None,
                )
            )
        step_snaps.append(StepSnapshot(timeout_minutes=step.timeout_minutes, entries=tuple(snaps)))
    return PolicySnapshot(
        policy_id=policy.id,
        slug=policy.slug,
        name=policy.name,
        ignore_custom_paging_policies=policy.is_ignoring_custom_paging_policies,
        steps=tuple(step_snaps),
    )


class CalculatorView:
    """planner.OnCallView answered by the on-call calculator at one instant, for one policy."""

    def __init__(self, session: Session, org_id: int, policy_id: int, at: datetime) -> None:
        self._session, self._org_id, self._policy_id, self._at = session, org_id, policy_id, at

    def oncall(self, group_id: int) -> Sequence[str]:
        return schedules.oncall_users_at(
            self._session, self._org_id, group_id, self._at, policy_id=self._policy_id
        )

    def adjacent(self, group_id: int, step: int) -> Sequence[str]:
        return schedules.adjacent_users_at(self._session, self._org_id, group_id, self._at, step)

    def team_members(self, team_id: int) -> Sequence[str]:
        return list(
            self._session.scalars(
                select(User.username)
                .join(TeamMember, TeamMember.user_id == User.id)
                .where(TeamMember.org_id == self._org_id, TeamMember.team_id == team_id)
                .order_by(User.username)
            )
        )


# ---------------------------------------------------------------------------- start


def start_paging(
    session: Session,
    org_id: int,
    incident_id: int,
    *,
    reroute_event_id: int | None,
    paging: Paging,
    now: datetime,
) -> list[Job]:
    """Start every escalation an incident's opening (or reroute) calls for; step 1 at once."""
    incident = _lock_incident(session, org_id, incident_id)
    if incident is None or incident.is_muted:
        return []
    if incident.phase != Phase.UNACKED:
        return []
    origin = "start" if reroute_event_id is None else f"reroute:{reroute_event_id}"
    if reroute_event_id is not None and not _adds_targets(session, incident, reroute_event_id):
        stop_paging(session, incident, reason="rerouted", now=now)
    policy_ids, user_ids = _targets(session, incident, reroute_event_id)
    # Steps count from when paging was asked for (the opening or the reroute), not from when
    # this job ran: an engine that was down runs the steps that fell due meanwhile at once.
    asked_at = min(_asked_at(session, incident, reroute_event_id), now)
    jobs: list[Job] = []
    for policy_id in policy_ids:
        snapshot = build_snapshot(session, org_id, policy_id)
        if snapshot is None:
            continue
        progress = _new_progress(
            session,
            incident,
            snapshot,
            origin=f"{incident.id}:{origin}:policy:{policy_id}",
            now=now,
            start_at=asked_at,
        )
        if progress is not None:
            jobs += advance(session, progress, incident, paging=paging, now=now)
    users = (
        session.scalars(select(User).where(User.org_id == org_id, User.id.in_(user_ids))).all()
        if user_ids
        else []
    )
    for user in sorted(users, key=lambda u: u.username):
        jobs += personal.page_user(
            session,
            org_id,
            incident,
            user,
            personal.PageRequest(reason="targeted directly", ignore_custom=False),
            steps_loader=paging.steps_loader,
            links=paging.links,
            now=now,
        )
    return jobs


def _lock_incident(session: Session, org_id: int, incident_id: int) -> Incident | None:
    # The row lock orders this transaction against a concurrent ack: either the ack commits
    # first and we see ACKED, or our pages are recorded first and the ack comes after them.
    return session.scalar(
        select(Incident)
        .where(Incident.org_id == org_id, Incident.id == incident_id)
        .with_for_update()
    )


def _targets(
    session: Session, incident: Incident, reroute_event_id: int | None
) -> tuple[list[int], list[int]]:
    if reroute_event_id is not None and _adds_targets(session, incident, reroute_event_id):
        event = session.get(IncidentEvent, reroute_event_id)
        data = event.data if event is not None else {}
        return [int(p) for p in data.get("policyIds", [])], [
            int(u) for u in data.get("userIds", [])
        ]
    policies = session.scalars(
        select(IncidentPagedPolicy.policy_id)
        .where(IncidentPagedPolicy.incident_id == incident.id)
        .order_by(IncidentPagedPolicy.policy_id)
    ).all()
    users = session.scalars(
        select(IncidentPagedUser.user_id).where(IncidentPagedUser.incident_id == incident.id)
    ).all()
    if not users:
        return list(policies), []
    # Users the engine is paging are recorded as paged users too; only direct targets count.
    paged_by_engine = set(
        session.scalars(
            select(UserPage.user_id).where(
                UserPage.incident_id == incident.id, UserPage.is_done.is_(False)
            )
        )
    )
    return list(policies), [u for u in users if u not in paged_by_engine]


def _asked_at(session: Session, incident: Incident, reroute_event_id: int | None) -> datetime:
    if reroute_event_id is not None:
        event = session.get(IncidentEvent, reroute_event_id)
        if event is not None and event.incident_id == incident.id:
            return event.at
    return incident.started_at


def _adds_targets(session: Session, incident: Incident, reroute_event_id: int) -> bool:
    event = session.get(IncidentEvent, reroute_event_id)
    return bool(
        event is not None and event.incident_id == incident.id and event.data.get("addTargets")
    )


def _new_progress(
    session: Session,
    incident: Incident,
    snapshot: PolicySnapshot,
    *,
    origin: str,
    now: datetime,
    depth: int = 0,
    start_at: datetime | None = None,
) -> EscalationProgress | None:
    if session.scalar(select(EscalationProgress.id).where(EscalationProgress.origin == origin)):
        return None
    start = planner.start(snapshot, now if start_at is None else start_at)
    progress = EscalationProgress(
        org_id=incident.org_id,
        incident_id=incident.id,
        origin=origin,
        policy_id=snapshot.policy_id,
        snapshot=dict(snapshot.to_json()),
        depth=depth,
        next_step_index=start.next_step_index,
        next_due_at=start.next_due_at,
        version=0,
        is_done=False,
        created_at=now,
        updated_at=now,
    )
    session.add(progress)
    return progress


def stop_paging(session: Session, incident: Incident, *, reason: str, now: datetime) -> None:
    """End every running escalation and personal paging of the incident."""
    for progress in session.scalars(
        select(EscalationProgress).where(
            EscalationProgress.incident_id == incident.id, EscalationProgress.is_done.is_(False)
        )
    ):
        progress.is_done = True
        progress.stopped_reason = reason
        progress.updated_at = now
    for page in session.scalars(
        select(UserPage).where(UserPage.incident_id == incident.id, UserPage.is_done.is_(False))
    ):
        page.is_done = True
        page.updated_at = now


# ---------------------------------------------------------------------------- advance


def run_step(
    session: Session,
    org_id: int,
    progress_id: int,
    *,
    version: int,
    paging: Paging,
    now: datetime,
) -> list[Job]:
    """The `escalation.step` job: run the due step(s) unless the incident was acked meanwhile."""
    # The incident's row first, then the progress: the order of every other writer (start,
    # reroute), so that two of them never wait on each other (a deadlock on PostgreSQL).
    incident_id = session.scalar(
        select(EscalationProgress.incident_id).where(
            EscalationProgress.org_id == org_id, EscalationProgress.id == progress_id
        )
    )
    incident = None if incident_id is None else _lock_incident(session, org_id, incident_id)
    if incident is None:
        return []
    progress = session.scalar(
        select(EscalationProgress)
        .where(EscalationProgress.org_id == org_id, EscalationProgress.id == progress_id)
        .with_for_update()
    )
    if progress is None or progress.is_done or progress.version != version:
        return []
    return advance(session, progress, incident, paging=paging, now=now)


def advance(
    session: Session,
    progress: EscalationProgress,
    incident: Incident,
    *,
    paging: Paging,
    now: datetime,
) -> list[Job]:
    if progress.is_done:
        return []
    if incident.phase != Phase.UNACKED:
        progress.is_done = True
        progress.stopped_reason = incident.phase.lower()
        progress.updated_at = now
        return []
    snapshot = PolicySnapshot.from_json(_policy_json(progress))
    view = CalculatorView(session, incident.org_id, snapshot.policy_id, now)
    jobs: list[Job] = []
    # The lookups below never depend on rows this transaction has not flushed yet, so skip
    # the flush before each of them: the new rows go in together (a flush costs more than
    # the insert it carries). Code that needs an id flushes explicitly.
    with session.no_autoflush:
        plan = planner.plan_next_pages(
            snapshot,
            planner.Progress(progress.next_step_index, progress.next_due_at),
            view,
            now,
        )
        for notice in plan.notices:
            deliveries.page_event(
                session, incident, notice, now=now, data={"policy": snapshot.slug, "notice": True}
            )
        for page in plan.pages:
            jobs += _send_page(session, progress, incident, snapshot, page, paging=paging, now=now)
    progress.next_step_index = plan.next_step_index
    progress.next_due_at = plan.next_due_at
    progress.version += 1
    progress.updated_at = now
    if plan.done:
        progress.is_done = True
        progress.stopped_reason = "completed"
        return jobs
    assert plan.next_due_at is not None
    if progress in session.new:  # its id is needed below
        session.flush()
    job = enqueue(
        session,
        kind=JobKind.ESCALATION_STEP,
        payload={"progress_id": progress.id, "version": progress.version},
        due_at=plan.next_due_at,
        now=now,
        org_id=incident.org_id,
        dedupe_key=f"escalation:{progress.id}:v{progress.version}",
    )
    if job is not None:
        jobs.append(job)
    return jobs


def _policy_json(progress: EscalationProgress) -> PolicyJson:
    data: PolicyJson = progress.snapshot  # type: ignore[assignment]  # JSON column, our shape
    return data


def _send_page(
    session: Session,
    progress: EscalationProgress,
    incident: Incident,
    snapshot: PolicySnapshot,
    page: planner.Page,
    *,
    paging: Paging,
    now: datetime,
) -> list[Job]:
    org_id = incident.org_id
    if page.username is not None:
        user = session.scalar(
            select(User).where(User.org_id == org_id, User.username == page.username)
        )
        if user is None:
            _note(session, incident, f"{page.reason}: user {page.username} no longer exists", now)
            return []
        return personal.page_user(
            session,
            org_id,
            incident,
            user,
            personal.PageRequest(
                reason=page.reason, ignore_custom=snapshot.ignore_custom_paging_policies
            ),
            steps_loader=paging.steps_loader,
            links=paging.links,
            now=now,
        )
    return _send_to_target(session, progress, incident, page, paging=paging, now=now)


def _send_to_target(
    session: Session,
    progress: EscalationProgress,
    incident: Incident,
    page: planner.Page,
    *,
    paging: Paging,
    now: datetime,
) -> list[Job]:
    org_id = incident.org_id
    if page.email is not None:
        _note(session, incident, f"Emailing {page.email}: {page.reason}", now)
        _, job = deliveries.queue_page_delivery(
            session,
            org_id,
            incident,
            deliveries.incident_facts(session, incident),
            user=None,
            contact=None,
            medium=Medium.EMAIL,
            destination=page.email,
            reason=page.reason,
            user_page_id=None,
            tried=[],
            links=paging.links,
            now=now,
            purpose=deliveries.Purpose.EMAIL,
        )
        return [job]
    if page.webhook_slug is not None:
        webhook = session.scalar(
            select(Webhook).where(Webhook.org_id == org_id, Webhook.slug == page.webhook_slug)
        )
        if webhook is None:
            _note(session, incident, f"{page.reason}: webhook {page.webhook_slug} is gone", now)
            return []
        _note(session, incident, f"Calling webhook {webhook.label}: {page.reason}", now)
        _, job = deliveries.queue_webhook_delivery(
            session, org_id, incident, webhook, reason=page.reason, now=now
        )
        return [job]
    if page.target_policy_id is not None:
        return _route_to_policy(session, progress, incident, page, paging=paging, now=now)
    return []


def _route_to_policy(
    session: Session,
    progress: EscalationProgress,
    incident: Incident,
    page: planner.Page,
    *,
    paging: Paging,
    now: datetime,
) -> list[Job]:
    assert page.target_policy_id is not None
    if progress.depth + 1 > MAX_ROUTING_DEPTH:
        _note(session, incident, f"{page.reason}: too many policy hops, not continued", now)
        return []
    snapshot = build_snapshot(session, incident.org_id, page.target_policy_id)
    if snapshot is None:
        _note(session, incident, f"{page.reason}: policy {page.target_policy_slug} is gone", now)
        return []
    _note(session, incident, page.reason, now)
    if progress in session.new:  # its id is needed below
        session.flush()
    child = _new_progress(
        session,
        incident,
        snapshot,
        origin=f"{incident.id}:routing:{progress.id}:{page.step_index}:{page.entry_position}",
        now=now,
        depth=progress.depth + 1,
        # Its steps count from when the routing step fell due, as the parent's do.
        start_at=page.step_due_at,
    )
    if child is None:
        return []
    return advance(session, child, incident, paging=paging, now=now)


def _note(session: Session, incident: Incident, message: str, now: datetime) -> None:
    deliveries.page_event(session, incident, message, now=now)


# ---------------------------------------------------------------------------- personal steps


def run_user_page_step(
    session: Session, org_id: int, user_page_id: int, *, run: int, paging: Paging, now: datetime
) -> list[Job]:
    """The `page.step` job: the user's next personal step, unless acked or already run."""
    incident_id = session.scalar(
        select(UserPage.incident_id).where(UserPage.org_id == org_id, UserPage.id == user_page_id)
    )
    # Incident first, then the page (the lock order of run_step).
    incident = None if incident_id is None else _lock_incident(session, org_id, incident_id)
    if incident is None:
        return []
    page = session.scalar(
        select(UserPage)
        .where(UserPage.org_id == org_id, UserPage.id == user_page_id)
        .with_for_update()
    )
    if page is None or page.is_done or page.runs != run:
        return []
    user = session.get(User, page.user_id)
    if user is None:
        return []
    return personal.run_user_page(
        session, org_id, page, incident, user, links=paging.links, now=now
    )
