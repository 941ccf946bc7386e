"""A test page: one message on each of a user's contact methods, sent through the channels
the engine pages with, so a person can check that pages reach them before a real one."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openoncall.contacts.models import ContactKind
from openoncall.contacts.service import list_contacts
from openoncall.notify.channel import Channel, DeliveryResult, Medium, Notification
from openoncall.notify.registry import build_channels
from openoncall.settings import Settings
from openoncall.users.service import get_user

_MEDIUM = {ContactKind.EMAIL: Medium.EMAIL, ContactKind.PHONE: Medium.SMS}
SUBJECT = "OpenOnCall test page"
BODY = "This is a test page from OpenOnCall: pages reach you here. No incident is open."


@dataclass(frozen=True, slots=True)
class TrialTarget:
    kind: str
    label: str
    notification: Notification


@dataclass(frozen=True, slots=True)
class TrialResult:
    kind: str
    label: str
    destination: str
    ok: bool
    detail: str


def trial_targets(session: Session, org_id: int, username: str) -> list[TrialTarget]:
    """One notification per contact method (devices by push), or the user's own email
    address when they have none, as the engine falls back to it."""
    user = get_user(session, org_id, username)
    targets = [
        TrialTarget(
            kind=c.kind,
            label=c.label,
            notification=Notification(
                medium=_MEDIUM.get(ContactKind(c.kind), Medium.PUSH),
                to=c.value,
                subject=SUBJECT,
                body=BODY,
            ),
        )
        for c in list_contacts(session, org_id, user)
    ]
    if not targets and user.email:
        notification = Notification(medium=Medium.EMAIL, to=user.email, subject=SUBJECT, body=BODY)
        targets.append(TrialTarget(kind="email", label="account email", notification=notification))
    return targets


async def _send(
    channels: Mapping[Medium, Channel], targets: list[TrialTarget], *, close: bool
) -> list[TrialResult]:
    async def one(target: TrialTarget) -> TrialResult:
        note = target.notification
        channel = channels.get(note.medium)
        if channel is None:
            outcome = DeliveryResult(ok=False, detail=f"no {note.medium} channel", retryable=False)
        else:
            outcome = await channel.send(note)
        return TrialResult(target.kind, target.label, note.to, outcome.ok, outcome.detail)

    try:
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        if close:
            for channel in channels.values():
                await channel.aclose()


def send_trial(
    targets: list[TrialTarget], *, settings: Settings, channels: Mapping[Medium, Channel] | None
) -> list[TrialResult]:
    """Send them all at once; each result says what its channel answered. Through the given
    channels (the engine's, left open) or through ones the settings configure, for this
    send only."""
    if channels is not None:
        return asyncio.run(_send(channels, targets, close=False))
    return asyncio.run(_send(build_channels(settings), targets, close=True))


def summary(results: list[TrialResult]) -> str:
    """One line for people: each method and whether it was sent."""
    return "; ".join(
        f"{r.kind} {r.destination}: {'sent' if r.ok else 'FAILED (' + r.detail + ')'}"
        for r in results
    )
