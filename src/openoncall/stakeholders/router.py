"""`POST /api-public/v1/stakeholders/sendMessage` (NOTES (a2), provisional shape)."""

from __future__ import annotations

from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.incidents.queries import actor_for_key
from openoncall.stakeholders.schemas import StakeholderMessage, StakeholderMessageAccepted
from openoncall.stakeholders.service import send_stakeholder_message

router = public_router(tags=["Stakeholders"])


@router.post("/api-public/v1/stakeholders/sendMessage", response_model=StakeholderMessageAccepted)
def send_message(
    body: StakeholderMessage, session: DbSession, caller: CallerDep, now: Now
) -> StakeholderMessageAccepted:
    """Record a message for users and teams and queue its delivery to each of them."""
    sent = send_stakeholder_message(
        session,
        caller.org_id,
        title=body.title,
        message=body.message,
        recipients=body.recipients,
        recipient_teams=body.recipient_teams,
        incident_number=body.incident_id,
        sender=actor_for_key(session, caller.org_id, caller.created_by_user_id),
        now=now,
    )
    return StakeholderMessageAccepted(result="ok", recipients=sent.recipients)
