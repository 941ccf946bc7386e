"""Replay refusal for signed provider webhooks: each provider request id is acted on once.

Twilio's signature has no timestamp, so a captured signed request stays valid for ever. Its
id (MessageSid, CallSid) is remembered in the database for REPLAY_WINDOW, in the same
transaction as what the request did, and a second request with that id is refused. Past the
window the id is forgotten; replies then may only act on incidents that started within the
window (`acts_on`), which a replay of a request older than the window can never name,
since its incident started before the request was first received. See docs/inbound-webhooks.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from openoncall.links.models import ProviderRequest

REPLAY_WINDOW = timedelta(days=30)


def remember_request(session: Session, sid: str, *, now: datetime) -> None:
    """Record the request id; a repeat raises IntegrityError at the flush (or, when two
    copies race, at the later one's flush once the first commits), rolling the request back."""
    session.execute(
        delete(ProviderRequest).where(ProviderRequest.received_at < now - REPLAY_WINDOW)
    )
    session.add(ProviderRequest(sid=sid, received_at=now))
    session.flush()


def acts_on(incident_started_at: datetime, *, now: datetime) -> bool:
    """Whether a provider reply may still change an incident that started then."""
    return incident_started_at >= now - REPLAY_WINDOW
