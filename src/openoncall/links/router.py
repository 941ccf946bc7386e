"""Acknowledge or resolve from a notification: signed links (GET confirms, POST acts) and
SMS replies through the provider's inbound webhook (`ack 123`, `resolve 123`).

These routes carry no API key: the signed token, or the sender's registered phone number
(with the provider's request signature when an auth token is configured), is the credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime
from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from openoncall.auth.deps import ContainerDep, DbSession, Now
from openoncall.contacts.models import ContactKind, ContactMethod
from openoncall.errors import InvalidTransition, NotFound
from openoncall.incidents.models import Incident
from openoncall.incidents.service import acknowledge_incident, resolve_incident
from openoncall.links.service import link_signer
from openoncall.links.signing import LinkAction, LinkClaim, LinkExpired
from openoncall.users.models import User

router = APIRouter(tags=["Notification links"], include_in_schema=True)

SMS_INBOUND_PATH = "/api-ext/v1/sms/inbound"
MAX_INCIDENT_NUMBER = 2**31 - 1
_REPLY = re.compile(r"^\s*(ack|acknowledge|resolve)\s+#?(\d+)\s*$", re.IGNORECASE)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title></head><body><main>"
        f"<h1>{escape(title)}</h1>{body}</main></body></html>"
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
        f"<p>{escape(incident.entity_display_name or incident.entity_id)}</p>"
        f"<p>Current phase: {escape(incident.phase)}</p>"
        f"<form method='post' action='/links/{escape(token)}'>"
        f"<button type='submit'>{verb}</button></form>"
    )
    return _page(title, body)


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
        )
    return _page(f"Incident #{incident.number} is {incident.phase}", "<p>Done. Thank you.</p>")


def _twiml(message: str) -> Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Message>{escape(message)}</Message></Response>"
    )
    return Response(xml, media_type="application/xml")


def _digits(phone: str) -> str:
    return re.sub(r"[^\d]", "", phone)


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL plus the sorted form parameters."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@router.post(SMS_INBOUND_PATH)
async def sms_inbound(
    request: Request,
    container: ContainerDep,
    from_: Annotated[str, Form(alias="From")],
    body: Annotated[str, Form(alias="Body")],
    signature: Annotated[str | None, Header(alias="X-Twilio-Signature")] = None,
) -> Response:
    """An SMS reply from the provider (Twilio-compatible form post): `ack 123`, `resolve 123`."""
    token = container.settings.sms_auth_token
    if token is not None:
        form = {k: str(v) for k, v in (await request.form()).items()}
        url = container.settings.base_url.rstrip("/") + SMS_INBOUND_PATH
        expected = twilio_signature(token.get_secret_value(), url, form)
        if signature is None or not hmac.compare_digest(signature, expected):
            return Response("forbidden", status_code=403)
    match = _REPLY.match(body)
    if match is None:
        return _twiml("Reply 'ack N' or 'resolve N' with the incident number.")
    action = LinkAction.RESOLVE if match.group(1).lower() == "resolve" else LinkAction.ACK
    number = int(match.group(2))
    if number > MAX_INCIDENT_NUMBER:  # beyond the column's range: no such incident
        return _twiml(f"No incident #{number} for this number.")

    def work() -> str:
        with container.sessions.transaction() as session:
            return _act_by_phone(session, from_, action, number, container.clock.now())

    return _twiml(await run_in_threadpool(work))


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
