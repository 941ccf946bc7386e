"""Email over real SMTP (aiosmtplib), reusing one connection across messages.

A connection costs a TCP handshake, EHLO, maybe STARTTLS and AUTH: opening one per mail caps
a storm near 400 mails/s here, so the channel keeps one open and sends through it one message
at a time (an asyncio lock). A server that dropped the idle connection is noticed on the
next send, which reconnects once and retries.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from openoncall.notify.channel import DeliveryResult, Medium, Notification

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """`smtp://user:pass@host:587?starttls=1`, or `smtps://…` for implicit TLS (port 465)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = False
    timeout_seconds: float = 10.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"}:
            raise ValueError(f"SMTP URL must start with smtp:// or smtps://, got {parts.scheme!r}")
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        implicit_tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit_tls,
            start_tls=query.get("starttls", "0").lower() in _TRUE,
            timeout_seconds=float(query.get("timeout", "10")),
        )


def build_message(notification: Notification, sender: str) -> EmailMessage:
    """The mail: the incident number in the subject; alert_id and ack/resolve links in the body."""
    subject = notification.subject
    number = notification.incident_number
    if number and number not in subject:
        subject = f"[#{number}] {subject}"
    lines = [notification.body.rstrip()]
    data = notification.data
    alert_id = data.get("alert_id")
    # The composer usually writes these already; add only what the body lacks.
    if alert_id is not None and str(alert_id) not in notification.body:
        lines += ["", f"alert_id: {alert_id}"]
    for key, title in (("ack_url", "Acknowledge"), ("resolve_url", "Resolve")):
        url = data.get(key)
        if url and str(url) not in notification.body:
            lines += ["", f"{title}: {url}"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.to
    message["Subject"] = subject
    if number:
        message["X-OpenOnCall-Incident"] = number
    if notification.idempotency_key:
        # One Message-ID for every attempt: mail systems that have it already drop a repeat.
        domain = sender.rpartition("@")[2].strip("<> ") or "openoncall.invalid"
        message["Message-ID"] = f"<{notification.idempotency_key}@{domain}>"
    message.set_content("\n".join(lines) + "\n")
    return message


class EmailChannel:
    """Sends each notification as one mail through a pooled SMTP connection."""

    medium = Medium.EMAIL

    def __init__(self, config: SmtpConfig, sender: str) -> None:
        self._config = config
        self._sender = sender
        self._smtp: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()
        self.connections_opened = 0

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        c = self._config
        smtp = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username,
            password=c.password,
            use_tls=c.use_tls,
            start_tls=c.start_tls,
            timeout=c.timeout_seconds,
        )
        try:
            await smtp.connect()
        except BaseException:
            smtp.close()
            raise
        self.connections_opened += 1
        self._smtp = smtp
        return smtp

    async def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.close()
        except Exception:  # closing a broken connection may fail in many ways; it is gone
            log.debug("closing a broken SMTP connection failed", exc_info=True)

    async def send(self, notification: Notification) -> DeliveryResult:
        if not notification.to or "@" not in notification.to:
            return DeliveryResult(False, f"not an email address: {notification.to!r}", False)
        message = build_message(notification, self._sender)
        async with self._lock:
            try:
                return await self._send_locked(message)
            except asyncio.CancelledError:
                # Cancelled mid-conversation (a send timeout): the connection's state is
                # unknown, so the next send starts a fresh one.
                await self._drop()
                raise

    async def _send_locked(self, message: EmailMessage) -> DeliveryResult:
        for attempt in (1, 2):
            try:
                smtp = await self._connection()
                _errors, response = await smtp.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                await self._reset()
                refused = exc.recipients[0] if exc.recipients else None
                code = refused.code if refused else 550
                detail = f"{code} {refused.message if refused else 'recipient refused'}"
                return DeliveryResult(False, detail, retryable=code < 500)
            except aiosmtplib.SMTPResponseException as exc:
                # The server answered with an error (auth, sender, data): 4xx may pass later.
                await self._reset()
                return DeliveryResult(False, f"{exc.code} {exc.message}", exc.code < 500)
            except (aiosmtplib.SMTPException, OSError) as exc:
                # Disconnected, refused, timed out: a pooled connection the server closed
                # while idle fails here first, so reconnect once before giving up.
                await self._drop()
                if attempt == 1:
                    continue
                return DeliveryResult(False, f"{type(exc).__name__}: {exc}", retryable=True)
            return DeliveryResult(True, response)
        raise AssertionError("unreachable: the loop returns on its second attempt")

    async def _reset(self) -> None:
        """End a failed transaction so the connection can carry the next mail."""
        if self._smtp is None:
            return
        try:
            await self._smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            await self._drop()

    async def aclose(self) -> None:
        async with self._lock:
            smtp, self._smtp = self._smtp, None
            if smtp is not None and smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
