"""Use cases behind the incident commands of the public API, with per-incident results.

Manual incidents, ack/resolve by numbers or by user, and reroute. Each acts through the
lifecycle service (`incidents.service`) one incident at a time and reports, per incident,
whether the command was accepted (NOTES (b): failures are per incident, not HTTP errors);
only an unknown acting user fails the whole request (404 "User not found"), and so does one
whose role may not respond to incidents (403: stakeholders are read-only). Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.auth import permissions
from openoncall.auth.actors import role_actor
from openoncall.errors import InvalidTransition, NotFound
from openoncall.incidents import service
from openoncall.incidents.models import Incident, IncidentPagedUser, Phase
from openoncall.incidents.queries import find_user, get_user, parse_incident_number
from openoncall.incidents.schemas import (
    AckOrResolveResult,
    IncidentTarget,
    Reroute,
    RerouteStatus,
    TargetStatus,
)
from openoncall.policies.models import EscalationPolicy
from openoncall.users.models import User

USER_TARGET = "User"
POLICY_TARGET = "EscalationPolicy"


@dataclass(frozen=True, slots=True)
class ResolvedTargets:
    policy_ids: list[int]
    user_ids: list[int]
    statuses: list[TargetStatus]


def _responder(session: Session, org_id: int, user_name: str) -> User:
    """The user a command acts as, who must be allowed to act on incidents."""
    user = get_user(session, org_id, user_name)
    permissions.require(
        role_actor(user), permissions.Action.RESPOND, who=user.username, field="userName"
    )
    return user


def resolve_targets(
    session: Session, org_id: int, targets: list[IncidentTarget]
) -> ResolvedTargets:
    """Each `{type, slug}` to a policy or user id, with a status per target."""
    policy_ids: list[int] = []
    user_ids: list[int] = []
    statuses: list[TargetStatus] = []
    for target in targets:
        if target.type == USER_TARGET:
            user = find_user(session, org_id, target.slug)
            if user is None:
                statuses.append(
                    TargetStatus(slug=target.slug, success=False, message="User not found")
                )
                continue
            user_ids.append(user.id)
        else:
            policy_id = session.scalar(
                select(EscalationPolicy.id).where(
                    EscalationPolicy.org_id == org_id, EscalationPolicy.slug == target.slug
                )
            )
            if policy_id is None:
                statuses.append(
                    TargetStatus(slug=target.slug, success=False, message="Policy not found")
                )
                continue
            policy_ids.append(policy_id)
        statuses.append(TargetStatus(slug=target.slug, success=True, message="Target accepted"))
    return ResolvedTargets(
        policy_ids=list(dict.fromkeys(policy_ids)),
        user_ids=list(dict.fromkeys(user_ids)),
        statuses=statuses,
    )


def create_manual_incident(
    session: Session,
    org_id: int,
    *,
    summary: str,
    details: str,
    user_name: str,
    targets: list[IncidentTarget],
    is_multi_responder: bool,
    now: datetime,
) -> Incident:
    """Open an incident by hand; every target must exist (404 naming the first that does not)."""
    creator = _responder(session, org_id, user_name)
    resolved = resolve_targets(session, org_id, targets)
    for status in resolved.statuses:
        if not status.success:
            raise NotFound(f"{status.message}: {status.slug}", field="targets")
    spec = service.OpenSpec(
        # A manual incident is about no monitored entity: give it one of its own.
        entity_id=str(uuid.uuid4()),
        entity_display_name=summary,
        state_message=details,
        entity_state="CRITICAL",
        entity_type="SERVICE",
        monitor_type="Manual",
        monitor_name=creator.username,
        is_multi_responder=is_multi_responder,
    )
    return service.open_incident(
        session,
        org_id,
        spec,
        policy_ids=resolved.policy_ids,
        user_ids=resolved.user_ids,
        by=creator.username,
        manually=True,
        now=now,
    )


def lock_incidents(session: Session, org_id: int, numbers: list[int]) -> dict[int, Incident]:
    """The org's incidents with these numbers, row-locked in number order.

    One ordered lock pass up front: two requests naming the same incidents in different
    orders then queue behind each other instead of deadlocking (PostgreSQL; SQLite has one
    writer anyway).
    """
    if not numbers:
        return {}
    rows = session.scalars(
        select(Incident)
        .where(Incident.org_id == org_id, Incident.number.in_(sorted(set(numbers))))
        .order_by(Incident.number)
        .with_for_update()
    )
    return {incident.number: incident for incident in rows}


Action = Literal["ack", "resolve"]

# Each command's lifecycle step and the word its success message uses.
_ACTIONS = {
    "ack": (service.acknowledge_incident, "acknowledged"),
    "resolve": (service.resolve_incident, "resolved"),
}


def _act(
    session: Session,
    org_id: int,
    incident: Incident,
    action: Action,
    *,
    by: str,
    message: str,
    now: datetime,
) -> AckOrResolveResult:
    act, done = _ACTIONS[action]
    try:
        act(session, org_id, incident, by=by, message=message, manually=True, now=now)
    except InvalidTransition as exc:
        return AckOrResolveResult(
            incident_number=str(incident.number),
            entity_id=incident.entity_id,
            cmd_accepted=False,
            message=exc.message,
        )
    return AckOrResolveResult(
        incident_number=str(incident.number),
        entity_id=incident.entity_id,
        cmd_accepted=True,
        message=f"Incident {incident.number} {done}",
    )


def ack_or_resolve_by_numbers(
    session: Session,
    org_id: int,
    action: Action,
    *,
    user_name: str,
    incident_names: list[str],
    message: str | None,
    now: datetime,
) -> list[AckOrResolveResult]:
    """`PATCH /incidents/ack|resolve`: one result per name, in the order given."""
    user = _responder(session, org_id, user_name)
    numbers = [parse_incident_number(name) for name in incident_names]
    incidents = lock_incidents(session, org_id, [n for n in numbers if n is not None])
    results: list[AckOrResolveResult] = []
    seen: set[int] = set()
    for name, number in zip(incident_names, numbers, strict=True):
        incident = incidents.get(number) if number is not None else None
        if incident is None or number in seen:
            results.append(
                AckOrResolveResult(
                    incident_number=name,
                    entity_id=None,
                    cmd_accepted=False,
                    message="Incident not found"
                    if incident is None
                    else f"Incident {number} is listed twice",
                )
            )
            continue
        seen.add(incident.number)
        results.append(
            _act(
                session, org_id, incident, action, by=user.username, message=message or "", now=now
            )
        )
    return results


def ack_or_resolve_by_user(
    session: Session,
    org_id: int,
    action: Action,
    *,
    user_name: str,
    message: str | None,
    now: datetime,
) -> list[AckOrResolveResult]:
    """`PATCH /incidents/byUser/ack|resolve`: every open incident that paged the user.

    Ack takes the UNACKED ones (an acked incident needs no second ack); resolve takes UNACKED
    and ACKED alike. Results are in incident-number order.
    """
    user = _responder(session, org_id, user_name)
    phases = [Phase.UNACKED] if action == "ack" else [Phase.UNACKED, Phase.ACKED]
    incidents = session.scalars(
        select(Incident)
        .join(IncidentPagedUser, IncidentPagedUser.incident_id == Incident.id)
        .where(
            Incident.org_id == org_id,
            IncidentPagedUser.user_id == user.id,
            Incident.phase.in_(phases),
        )
        .order_by(Incident.number)
        .with_for_update(of=Incident)
    ).all()
    return [
        _act(session, org_id, incident, action, by=user.username, message=message or "", now=now)
        for incident in incidents
    ]


def reroute_incidents(
    session: Session,
    org_id: int,
    *,
    user_name: str,
    reroutes: list[Reroute],
    now: datetime,
) -> list[RerouteStatus]:
    """`POST /incidents/reroute`: per incident, whether it was rerouted, and per target why."""
    user = _responder(session, org_id, user_name)
    numbers = [parse_incident_number(r.incident_number) for r in reroutes]
    incidents = lock_incidents(session, org_id, [n for n in numbers if n is not None])
    statuses: list[RerouteStatus] = []
    for reroute, number in zip(reroutes, numbers, strict=True):
        incident = incidents.get(number) if number is not None else None
        targets = resolve_targets(session, org_id, reroute.targets)
        if incident is None:
            statuses.append(
                RerouteStatus(
                    incident_number=reroute.incident_number,
                    success=False,
                    message="Incident not found",
                    target_status=targets.statuses,
                )
            )
            continue
        if not targets.policy_ids and not targets.user_ids:
            statuses.append(
                RerouteStatus(
                    incident_number=str(incident.number),
                    success=False,
                    message="No valid targets",
                    target_status=targets.statuses,
                )
            )
            continue
        try:
            service.reroute_incident(
                session,
                org_id,
                incident,
                policy_ids=targets.policy_ids,
                user_ids=targets.user_ids,
                add_targets=reroute.add_targets,
                by=user.username,
                message=f"Rerouted by {user.username}",
                now=now,
            )
        except InvalidTransition as exc:
            statuses.append(
                RerouteStatus(
                    incident_number=str(incident.number),
                    success=False,
                    message=exc.message,
                    target_status=targets.statuses,
                )
            )
            continue
        statuses.append(
            RerouteStatus(
                incident_number=str(incident.number),
                success=True,
                message=f"Incident {incident.number} rerouted",
                target_status=targets.statuses,
            )
        )
    return statuses
