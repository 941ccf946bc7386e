"""Personal paging in the caller's transaction: start paging a user for an incident by their
personal paging policy, and run its next step (the decisions are in `planner.py`; each
notification becomes a delivery row through `deliveries/service.py`). Never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.contacts.service import list_contacts
from openoncall.deliveries import service as deliveries
from openoncall.incidents.models import Incident, IncidentPagedUser, Phase
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job
from openoncall.jobs.writer import enqueue
from openoncall.paging import planner
from openoncall.paging.models import UserPage
from openoncall.paging_policies.service import load_paging_steps
from openoncall.users.models import User


def personal_steps(session: Session, org_id: int, user: User) -> list[dict[str, Any]]:
    """The user's personal paging policy (their own, or the default) as a frozen copy.

    Push rules arrive expanded to one rule per device, so each names its contact.
    """
    return [
        {
            "timeout_minutes": step.timeout_minutes,
            "rules": [
                {"type": str(rule.notification_type), "contact_id": rule.contact_id}
                for rule in step.rules
            ],
        }
        for step in load_paging_steps(session, org_id, user.id)
    ]


StepsLoader = Callable[[Session, int, User], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    reason: str
    # The policy's ignoreCustomPagingPolicies: page by the primary paging policy, not by a
    # time-based custom one. OpenOnCall has only the primary policy, so this changes nothing:
    # the user's own steps run, the last repeating until ack, as the vendor documents.
    ignore_custom: bool


def page_user(
    session: Session,
    org_id: int,
    incident: Incident,
    user: User,
    request: PageRequest,
    *,
    steps_loader: StepsLoader,
    links: deliveries.LinkMaker | None,
    now: datetime,
) -> list[Job]:
    """Start paging `user` for `incident` by their personal policy (once per incident)."""
    page = session.scalar(
        select(UserPage).where(UserPage.incident_id == incident.id, UserPage.user_id == user.id)
    )
    if page is not None and not page.is_done:
        deliveries.page_event(
            session,
            incident,
            f"{user.username} is already being paged ({request.reason})",
            now=now,
            data={"username": user.username, "reason": request.reason, "duplicate": True},
        )
        return []
    # Read before a new row joins the session: the loader's queries would flush it unfinished.
    steps = planner.with_fallback(steps_loader(session, org_id, user))
    if page is None:
        page = UserPage(
            org_id=org_id,
            incident_id=incident.id,
            user_id=user.id,
            created_at=now,
        )
        session.add(page)
    page.steps = steps
    page.next_step_index = 0
    page.runs = 0
    page.is_done = False
    page.reason = request.reason[:512]
    page.updated_at = now
    if session.get(IncidentPagedUser, (incident.id, user.id)) is None:
        session.add(IncidentPagedUser(org_id=org_id, incident_id=incident.id, user_id=user.id))
    session.flush()
    deliveries.page_event(
        session,
        incident,
        f"Paging {user.username}: {request.reason}",
        now=now,
        data={"username": user.username, "reason": request.reason},
    )
    return run_user_page(session, org_id, page, incident, user, links=links, now=now)


def run_user_page(
    session: Session,
    org_id: int,
    page: UserPage,
    incident: Incident,
    user: User,
    *,
    links: deliveries.LinkMaker | None,
    now: datetime,
) -> list[Job]:
    """Run the user's next personal step (the last one again once past the end)."""
    if page.is_done:
        return []
    if incident.phase != Phase.UNACKED:
        page.is_done = True
        page.updated_at = now
        return []
    rows = {c.id: c for c in list_contacts(session, org_id, user)}
    run = planner.plan_run(
        page.steps,
        next_step_index=page.next_step_index,
        runs=page.runs,
        contacts=[planner.Contact(c.id, c.kind, c.value) for c in rows.values()],
        account_email=user.email,
    )
    jobs: list[Job] = []
    facts = deliveries.incident_facts(session, incident)
    for send in run.sends:
        _, job = deliveries.queue_page_delivery(
            session,
            org_id,
            incident,
            facts,
            user=user,
            contact=None if send.contact_id is None else rows[send.contact_id],
            medium=send.medium,
            destination=send.destination,
            reason=f"{page.reason}; {run.label}",
            user_page_id=page.id,
            tried=[],
            links=links,
            now=now,
        )
        jobs.append(job)
    page.runs = run.runs
    page.next_step_index = run.next_step_index
    page.updated_at = now
    if run.next_in is None:
        page.is_done = True
        return jobs
    step = enqueue(
        session,
        kind=JobKind.PAGE_STEP,
        payload={"user_page_id": page.id, "run": page.runs},
        due_at=now + run.next_in,
        now=now,
        org_id=org_id,
        dedupe_key=f"page:{page.id}:run:{page.runs}",
    )
    if step is not None:
        jobs.append(step)
    return jobs
