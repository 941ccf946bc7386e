"""Job kind → handler: escalation start/step, personal paging steps, deliveries, stakeholders.

Each handler does its database work in one transaction bound to its claim (Runtime.in_tx),
so the job is finished in the same commit as the rows it wrote; a rerun after a crash finds
either nothing done or everything done. Sending is the one step outside a transaction: a
delivery is prepared (phase and throttle checks), sent, then recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from openoncall.deliveries import service as deliveries
from openoncall.engine import queue
from openoncall.engine.worker import Handler, Runtime, TxContext
from openoncall.escalation import service as escalation
from openoncall.incidents.models import IncidentEvent
from openoncall.invitations import service as invitations
from openoncall.jobs.kinds import JobKind
from openoncall.jobs.models import Job
from openoncall.notify.channel import Channel, DeliveryResult, Medium, Notification
from openoncall.notify.console import ConsoleChannel
from openoncall.observe import events
from openoncall.users.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandlerDeps:
    channels: Mapping[Medium, Channel]
    paging: escalation.Paging
    send_timeout_seconds: float = 30.0
    # Public URL of the web UI, for links minted at send time (set-password invitations).
    base_url: str = "http://127.0.0.1:8080"


def build_handlers(deps: HandlerDeps) -> dict[str, Handler]:
    return {
        JobKind.ESCALATION_START: partial(escalation_start, deps),
        JobKind.ESCALATION_STEP: partial(escalation_step, deps),
        JobKind.PAGE_STEP: partial(page_step, deps),
        JobKind.DELIVERY_SEND: partial(delivery_send, deps),
        JobKind.STAKEHOLDER_MESSAGE: partial(stakeholder_message, deps),
        JobKind.INVITATION_EMAIL: partial(invitation_email, deps),
    }


def _org(claim: queue.Claim) -> int:
    if claim.org_id is None:
        raise ValueError(f"job {claim.job_id} ({claim.kind}) has no organization")
    return claim.org_id


async def escalation_start(deps: HandlerDeps, rt: Runtime, claim: queue.Claim) -> None:
    incident_id = int(claim.payload["incident_id"])
    reroute = claim.payload.get("reroute")

    def work(session: Session, ctx: TxContext) -> None:
        jobs = escalation.start_paging(
            session,
            _org(claim),
            incident_id,
            reroute_event_id=None if reroute is None else int(reroute),
            paging=deps.paging,
            now=ctx.now,
        )
        _continue(deps, session, ctx, jobs)

    await rt.in_tx(claim, work)


async def escalation_step(deps: HandlerDeps, rt: Runtime, claim: queue.Claim) -> None:
    def work(session: Session, ctx: TxContext) -> None:
        jobs = escalation.run_step(
            session,
            _org(claim),
            int(claim.payload["progress_id"]),
            version=int(claim.payload["version"]),
            paging=deps.paging,
            now=ctx.now,
        )
        _continue(deps, session, ctx, jobs)

    await rt.in_tx(claim, work)


async def page_step(deps: HandlerDeps, rt: Runtime, claim: queue.Claim) -> None:
    def work(session: Session, ctx: TxContext) -> None:
        jobs = escalation.run_user_page_step(
            session,
            _org(claim),
            int(claim.payload["user_page_id"]),
            run=int(claim.payload["run"]),
            paging=deps.paging,
            now=ctx.now,
        )
        _continue(deps, session, ctx, jobs)

    await rt.in_tx(claim, work)


async def stakeholder_message(deps: HandlerDeps, rt: Runtime, claim: queue.Claim) -> None:
    payload = claim.payload

    def work(session: Session, ctx: TxContext) -> None:
        org_id = _org(claim)
        user = session.get(User, int(payload["user_id"]))
        if user is None or user.org_id != org_id:
            return
        incident_id: int | None = None
        if payload.get("event_table") == "incident_event" and payload.get("event_id"):
            event = session.get(IncidentEvent, int(payload["event_id"]))
            if event is not None and event.org_id == org_id:
                incident_id = event.incident_id
        queued = deliveries.queue_stakeholder_delivery(
            session,
            org_id,
            user,
            title=str(payload.get("title") or ""),
            message=str(payload.get("message") or ""),
            sender=_opt_str(payload.get("sender")),
            incident_id=incident_id,
            incident_number=_opt_str(payload.get("incident_number")),
            now=ctx.now,
        )
        if queued is not None:
            _continue(deps, session, ctx, [queued[1]])

    await rt.in_tx(claim, work)


class InvitationNotSent(Exception):
    """A transient SMTP failure: the worker retries the job with backoff (and a new token)."""


async def invitation_email(deps: HandlerDeps, rt: Runtime, claim: queue.Claim) -> None:
    """Mint a set-password link and email it; no delivery row, since its body holds the token.

    The token is committed before the send: a crash in between leaves a link nobody knows,
    and the retry mints a new one (which also retires that one).
    """
    channel = deps.channels.get(Medium.EMAIL)
    if channel is None or isinstance(channel, ConsoleChannel):
        # The console would write the link into the log: without SMTP no link is minted.
        log.warning(
            "invitation email not sent: no SMTP configured in the engine",
            extra={"job_id": claim.job_id, "org_id": claim.org_id},
        )
        await rt.in_tx(claim, lambda _session, _ctx: None)
        return
    payload = claim.payload

    def mint(session: Session, ctx: TxContext) -> invitations.InvitationEmail | None:
        mail = invitations.mint_invitation_email(
            session,
            _org(claim),
            int(payload["user_id"]),
            expiration_hours=float(payload["expiration_hours"]),
            base_url=deps.base_url,
            now=ctx.now,
        )
        if mail is None:
            ctx.finish = True
        return mail

    mail = await rt.in_tx(claim, mint, finish=False)
    if mail is None:
        return
    notification = Notification(
        medium=Medium.EMAIL, to=mail.to, subject=mail.subject, body=mail.body
    )
    try:
        result = await asyncio.wait_for(
            channel.send(notification), timeout=deps.send_timeout_seconds
        )
    except TimeoutError:
        result = DeliveryResult(ok=False, detail="timed out", retryable=True)
    ids = {"job_id": claim.job_id, "org_id": claim.org_id, "user_id": payload["user_id"]}
    if not result.ok and result.retryable:
        raise InvitationNotSent(result.detail)
    if result.ok:
        log.info("invitation email sent", extra=ids)
    else:
        log.warning("invitation email refused: %s", result.detail, extra=ids)
    await rt.in_tx(claim, lambda _session, _ctx: None)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


async def delivery_send(deps: HandlerDeps, rt: Runtime, claim: queue.Claim) -> None:
    delivery_id = int(claim.payload["delivery_id"])

    def prepare(
        session: Session, ctx: TxContext
    ) -> deliveries.Ready | deliveries.Wait | deliveries.Skip:
        outcome = deliveries.prepare_send(session, delivery_id, now=ctx.now)
        if isinstance(outcome, deliveries.Wait):
            ctx.retry_at = outcome.until
        elif isinstance(outcome, deliveries.Skip):
            ctx.finish = True
        return outcome

    outcome = await rt.in_tx(claim, prepare, finish=False)
    if isinstance(outcome, deliveries.Ready):
        await _send_prepared(deps, outcome, rt, claim)


async def _send_prepared(
    deps: HandlerDeps, ready: deliveries.Ready, rt: Runtime, claim: queue.Claim
) -> None:
    """Send a delivery prepared in an earlier transaction, then record the outcome."""
    delivery_id = int(claim.payload["delivery_id"])
    channel = str(ready.notification.medium)
    events.delivery_attempt(
        org_id=claim.org_id,
        delivery_id=delivery_id,
        job_id=claim.job_id,
        channel=channel,
        resend=ready.resend,
    )
    # perf_counter measures a duration; it is not a reading of the wall clock.
    started = time.perf_counter()
    result = await _send(deps, ready)
    events.delivery_outcome(
        org_id=claim.org_id,
        delivery_id=delivery_id,
        job_id=claim.job_id,
        channel=channel,
        ok=result.ok,
        retryable=result.retryable,
        seconds=time.perf_counter() - started,
        detail=result.detail,
    )

    def record(session: Session, ctx: TxContext) -> None:
        recorded = deliveries.record_result(
            session, delivery_id, result, links=deps.paging.links, now=ctx.now
        )
        if recorded.retry_at is not None:
            ctx.retry_at = recorded.retry_at
        _continue(deps, session, ctx, recorded.jobs)

    await _record_with_retries(rt, claim, record)


def _continue(
    deps: HandlerDeps, session: Session, ctx: TxContext, jobs: Sequence[Job | None]
) -> None:
    """Take the jobs this transaction made due now, so they run right after its commit.

    A delivery is also prepared here (phase and throttle checks, `sending_at`), in the same
    transaction that created it: right after the commit it is sent, saving a claim and a
    transaction per page.
    """
    session.flush()
    for job in jobs:
        if job is None or job.due_at > ctx.now:
            continue
        if job.kind != JobKind.DELIVERY_SEND:
            ctx.run_soon([job], session)
            continue
        claim = ctx.lease_now(job)
        outcome = deliveries.prepare_send(session, int(job.payload["delivery_id"]), now=ctx.now)
        if isinstance(outcome, deliveries.Ready):
            ctx.follow_ups.append((claim, partial(_send_prepared, deps, outcome)))
        elif isinstance(outcome, deliveries.Wait):
            queue.retry_later(job, now=ctx.now, error="throttled", delay=outcome.until - ctx.now)
            job.attempts -= 1
        else:
            queue.finish(job, now=ctx.now)


async def _record_with_retries(
    rt: Runtime, claim: queue.Claim, record: Callable[[Session, TxContext], None]
) -> None:
    """The send happened: keep trying to write that down while the database is away.

    Giving up here means the job is retried once its lease runs out, and the message goes
    out twice; so retry for about half a lease before letting that happen.
    """
    delay, waited = 0.05, 0.0
    budget = rt.lease.total_seconds() / 2
    while True:
        try:
            await rt.in_tx(claim, record)
            return
        except DBAPIError:
            if waited >= budget:
                raise
            log.warning("recording a delivery failed; retrying", extra={"job_id": claim.job_id})
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 1.0)


async def _send(deps: HandlerDeps, ready: deliveries.Ready) -> DeliveryResult:
    notification = ready.notification
    channel = deps.channels.get(notification.medium)
    if channel is None:
        return DeliveryResult(
            ok=False, detail=f"no {notification.medium} channel configured", retryable=False
        )
    try:
        return await asyncio.wait_for(channel.send(notification), timeout=deps.send_timeout_seconds)
    except TimeoutError:
        return DeliveryResult(ok=False, detail="timed out", retryable=True)
    except Exception as exc:
        # Channels should return failures, not raise; a raising one is treated as transient.
        log.exception("channel raised", extra={"medium": str(notification.medium)})
        return DeliveryResult(ok=False, detail=f"{type(exc).__name__}: {exc}", retryable=True)
