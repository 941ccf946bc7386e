"""Acknowledge or resolve from a notification: signed links (GET confirms, POST acts) and
SMS replies through the provider's inbound webhook (`ack 123`, `resolve 123`).

These routes carry no API key: the signed token, or the provider's request signature (checked
with the configured auth token; no token, no SMS replies) plus the sender's registered phone
number, is the credential. There is no inbound voice route: voice pages only read aloud.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from openoncall.auth.deps import ContainerDep, DbSession, Now
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.errors import InvalidInput, InvalidTransition, NotFound
from openoncall.incidents.models import Incident
from openoncall.incidents.service import acknowledge_incident, resolve_incident
from openoncall.links.replays import acts_on, remember_request
from openoncall.links.service import link_signer
from openoncall.links.signing import LinkAction, LinkClaim, LinkExpired
from openoncall.links.twilio import signature_refusal
from openoncall.users.models import User

log = logging.getLogger(__name__)
router = APIRouter(tags=["Notification links"], include_in_schema=True)

SMS_INBOUND_PATH = "/api-ext/v1/sms/inbound"
MAX_INCIDENT_NUMBER = 2**31 - 1
_REPLY = re.compile(r"^\s*(ack|acknowledge|resolve)\s+#?(\d+)\s*$", re.IGNORECASE)


def _page(title: str, body: str, status: int = 200, *, incident: int | None = None) -> HTMLResponse:
    """A page of its own (no sign-in needed), in the app's stylesheet, made for a phone:
    one big button, and a link to the incident (which asks to sign in)."""
    more = (
        f"<p><a class='button wide-button' href='/incidents/{incident}'>Open incident "
        f"#{incident}</a></p>"
        if incident is not None
        else ""
    )
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · OpenOnCall</title>"
        "<link rel='stylesheet' href='/static/app.css'></head><body>"
        "<header class='top'><a class='brand' href='/'>OpenOnCall</a></header>"
        f"<main class='narrow link-page'><h1>{escape(title)}</h1>{body}{more}</main>"
        "</body></html>"
    )
    return HTMLResponse(html, status_code=status)


def _claim(container: ContainerDep, token: str) -> LinkClaim | HTMLResponse:
    try:
        return link_signer(container).load(token)
    except LinkExpired:
        return _page(
            "Link expired", "<p>This link has expired. Open the incident instead.</p>", 410
        )
    except NotFound:
        return _page("Invalid link", "<p>This link is not valid.</p>", 404)


def _incident(session: Session, claim: LinkClaim, *, lock: bool) -> Incident | None:
    stmt = select(Incident).where(Incident.org_id == claim.org_id, Incident.id == claim.incident_id)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def _actor(session: Session, claim: LinkClaim) -> str | None:
    if claim.user_id is None:
        return None
    user = session.get(User, claim.user_id)
    return user.username if user is not None and user.org_id == claim.org_id else None


_VERB = {LinkAction.ACK: "Acknowledge", LinkAction.RESOLVE: "Resolve"}
_PHASE = {"UNACKED": "Triggered", "ACKED": "Acknowledged", "RESOLVED": "Resolved"}


@router.get("/links/{token}", response_class=HTMLResponse)
def confirm_link(token: str, session: DbSession, container: ContainerDep) -> HTMLResponse:
    """Show what the link will do; nothing changes until the form is posted."""
    claim = _claim(container, token)
    if isinstance(claim, HTMLResponse):
        return claim
    incident = _incident(session, claim, lock=False)
    if incident is None:
        return _page("Invalid link", "<p>The incident no longer exists.</p>", 404)
    verb = _VERB[claim.action]
    title = f"{verb} incident #{incident.number}?"
    body = (
        f"<p class='link-subject'>{escape(incident.entity_display_name or incident.entity_id)}</p>"
        f"<p>Now: <span class='badge phase-{escape(incident.phase)}'>"
        f"{escape(_PHASE.get(incident.phase, incident.phase))}</span></p>"
        f"<form method='post' action='/links/{escape(token)}'>"
        f"<button type='submit' class='primary wide-button'>{verb}</button></form>"
    )
    return _page(title, body, incident=incident.number)


@router.post("/links/{token}", response_class=HTMLResponse)
def act_on_link(token: str, session: DbSession, container: ContainerDep, now: Now) -> HTMLResponse:
    """Acknowledge or resolve, in this request's one transaction."""
    claim = _claim(container, token)
    if isinstance(claim, HTMLResponse):
        return claim
    incident = _incident(session, claim, lock=True)
    if incident is None:
        return _page("Invalid link", "<p>The incident no longer exists.</p>", 404)
    by = _actor(session, claim)
    act = acknowledge_incident if claim.action == LinkAction.ACK else resolve_incident
    try:
        act(
            session,
            claim.org_id,
            incident,
            by=by,
            message=f"{_VERB[claim.action]}d from a notification link",
            manually=True,
            now=now,
        )
    except InvalidTransition:
        return _page(
            f"Incident #{incident.number} is {incident.phase}",
            "<p>Nothing to do: someone got there first.</p>",
            409,
            incident=incident.number,
        )
    return _page(
        f"Incident #{incident.number} is {incident.phase}",
        "<p>Done. Thank you.</p>",
        incident=incident.number,
    )


def _twiml(message: str) -> Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Message>{escape(message)}</Message></Response>"
    )
    return Response(xml, media_type="application/xml")


def _digits(phone: str) -> str:
    return re.sub(r"[^\d]", "", phone)


def _refused(reason: str) -> Response:
    # Why, for the operator; never the token, the signature or the message.
    log.warning("inbound SMS webhook refused: %s", reason, extra={"path": SMS_INBOUND_PATH})
    return Response(
        json.dumps({"error": "Forbidden", "message": "Forbidden"}),
        status_code=403,
        media_type="application/json",
    )


@router.post(SMS_INBOUND_PATH)
async def sms_inbound(
    request: Request,
    container: ContainerDep,
    *,
    # Optional here so that an unsigned request is refused (403) before anything else.
    from_: Annotated[str | None, Form(alias="From")] = None,
    body: Annotated[str | None, Form(alias="Body")] = None,
    message_sid: Annotated[str | None, Form(alias="MessageSid", max_length=64)] = None,
    signature: Annotated[str | None, Header(alias="X-Twilio-Signature")] = None,
) -> Response:
    """An SMS reply from the provider (Twilio-compatible form post): `ack 123`, `resolve 123`.

    Refused (403) unless it carries a valid `X-Twilio-Signature` for the configured auth
    token, and when its `MessageSid` was already acted on (a replay)."""
    token = container.settings.sms_auth_token
    params = {k: str(v) for k, v in (await request.form()).items()}
    query = request.url.query
    url = (
        container.settings.base_url.rstrip("/") + SMS_INBOUND_PATH + (f"?{query}" if query else "")
    )
    refusal = signature_refusal(token.get_secret_value() if token else None, url, params, signature)
    if refusal is not None:
        return _refused(refusal)
    fields = {"From": from_, "Body": body, "MessageSid": message_sid}
    missing = next((name for name, value in fields.items() if not value), None)
    if missing is not None:
        raise InvalidInput(f"Missing field: {missing}", field=missing)
    phone, sid = from_ or "", message_sid or ""
    match = _REPLY.match(body or "")
    action: LinkAction | None = None
    number = 0
    if match is not None:
        action = LinkAction.RESOLVE if match.group(1).lower() == "resolve" else LinkAction.ACK
        number = int(match.group(2))

    def work() -> str:
        now = container.clock.now()
        with container.sessions.transaction() as session:
            remember_request(session, sid, now=now)
            if action is None:
                return "Reply 'ack N' or 'resolve N' with the incident number."
            if number > MAX_INCIDENT_NUMBER:  # beyond the column's range: no such incident
                return f"No incident #{number} for this number."
            return _act_by_phone(session, phone, action, number, now)

    try:
        return _twiml(await run_in_threadpool(work))
    except IntegrityError:
        return _refused("MessageSid already acted on (a replayed request)")


def _act_by_phone(
    session: Session, phone: str, action: LinkAction, number: int, now: datetime
) -> str:
    digits = _digits(phone)
    if not digits:
        return "Unknown number."
    phones = session.scalars(
        select(ContactMethod).where(ContactMethod.kind == ContactKind.PHONE)
    ).all()
    for contact in (c for c in phones if _digits(c.value) == digits):
        incident = session.scalar(
            select(Incident)
            .where(Incident.org_id == contact.org_id, Incident.number == number)
            .with_for_update()
        )
        user = session.get(User, contact.user_id)
        if incident is None or user is None:
            continue
        if not acts_on(incident.started_at, now=now):
            return f"Incident #{number} is too old to change by SMS: use the web UI."
        act = acknowledge_incident if action == LinkAction.ACK else resolve_incident
        try:
            act(
                session,
                contact.org_id,
                incident,
                by=user.username,
                message=f"{_VERB[action]}d by SMS reply",
                manually=True,
                now=now,
            )
        except InvalidTransition:
            return f"Incident #{number} is already {incident.phase}."
        return f"Incident #{number} is now {incident.phase}."
    return f"No incident #{number} for this number."
