"""The optional SMTP listener for email alerts (`openoncall serve --smtp-port N`).

An aiosmtpd server on its own thread and event loop. Each message becomes one alert per
accepted recipient and goes through the same group-commit writer as the REST endpoint; the
SMTP answer (250) is given only after the alert has been committed, so a sender's retry
logic covers every failure before that.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from openoncall.alerts.mail import classify_subject, parse_recipient
from openoncall.alerts.models import AlertSource
from openoncall.alerts.routed import Submission
from openoncall.alerts.writer import writer_for
from openoncall.container import Container
from openoncall.ids import hash_secret

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


def _body_text(message: Message) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            content = part.get_content()
            return content if isinstance(content, str) else ""
    payload = message.get_payload(decode=True)
    return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


class AlertMailHandler:
    """aiosmtpd handler: accept `{emailKey}[+.]{routingKey}@…`, store, then answer."""

    def __init__(self, container: Container) -> None:
        self._container = container

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        del server, session, rcpt_options
        if parse_recipient(address) is None:
            return "550 5.1.1 Not an alert address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        del server, session
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=default_policy)
        subject = str(message.get("subject", "") or "")
        body = _body_text(message).strip()
        parsed = classify_subject(subject)
        received_at = self._container.clock.now()
        writer = writer_for(self._container)
        submissions = []
        for address in envelope.rcpt_tos:
            recipient = parse_recipient(address)
            if recipient is None:
                continue
            fields: dict[str, Any] = {
                "entity_id": parsed.entity_id,
                "entity_display_name": parsed.entity_display_name,
                "state_message": body,
                "monitoring_tool": "Email",
                "email_from": envelope.mail_from or "",
            }
            if parsed.message_type is not None:
                fields["message_type"] = parsed.message_type
            raw = json.dumps(
                {
                    "from": envelope.mail_from,
                    "to": address,
                    "subject": subject,
                    "body": body,
                    "message_id": str(message.get("message-id", "") or uuid.uuid4()),
                }
            )
            submissions.append(
                Submission(
                    key_hash=hash_secret(recipient.email_key),
                    source=AlertSource.EMAIL,
                    routing_key=recipient.routing_key,
                    fields=fields,
                    raw=raw,
                    received_at=received_at,
                )
            )
        try:
            results = await asyncio.gather(*(writer.store(s) for s in submissions))
        except Exception:
            log.exception("storing an email alert failed")
            return "451 4.3.0 Alert not stored, try again later"
        if not any(r is not None for r in results):
            return "550 5.1.1 Unknown email endpoint key"
        return "250 OK alert stored"


class EmailListener:
    """Runs the SMTP server on a thread; `port` is the bound port (useful with port 0)."""

    def __init__(self, container: Container, *, host: str, port: int) -> None:
        self._container = container
        self._host = host
        self._port = port
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="smtp-listener", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise RuntimeError(f"SMTP listener failed to start: {self._error}")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        handler = AlertMailHandler(self._container)
        try:
            self._server = loop.run_until_complete(
                loop.create_server(
                    lambda: SMTP(handler, data_size_limit=MAX_MESSAGE_BYTES, loop=loop),
                    host=self._host,
                    port=self._port,
                )
            )
        except OSError as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def install_email_listener(container: Container, *, host: str, port: int) -> EmailListener:
    """Start the listener with the app and stop it with the app."""
    listener = EmailListener(container, host=host, port=port)
    container.on_start.append(listener.start)
    container.on_stop.append(listener.stop)
    return listener
