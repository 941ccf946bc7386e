"""`POST /api-public/v1/chat`: a chat message into an incident's timeline (NOTES (a2))."""

from __future__ import annotations

from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.chat.schemas import ChatAccepted, ChatMessage
from openoncall.chat.service import post_chat

router = public_router(tags=["Chat"])


@router.post("/api-public/v1/chat", response_model=ChatAccepted)
def send_chat(body: ChatMessage, session: DbSession, caller: CallerDep, now: Now) -> ChatAccepted:
    """Post a message to the timeline of incident `incidentId`, or the organization's."""
    post_chat(
        session,
        caller.org_id,
        username=body.username,
        text=body.text,
        external_username=body.external_username,
        monitoring_tool=body.monitoring_tool,
        incident_number=body.incident_id,
        tags=body.tags,
        now=now,
    )
    return ChatAccepted(result="ok")
