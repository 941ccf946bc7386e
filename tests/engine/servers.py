"""Real servers for engine scenarios: aiosmtpd as the SMTP server, and one threaded HTTP
server standing in for the SMS provider, the push gateway and webhook receivers; as fixtures
(`smtp`, `http`) with the settings that page through them (`paging_settings`).

Both run in their own threads (never in the engine's event loop) on 127.0.0.1, record what
they receive, and let a test wait for the n-th arrival instead of sleeping.
"""

# ruff: noqa: ARG002  (aiosmtpd and http.server call these hooks with fixed signatures)

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr

from openoncall.settings import Settings

SMS_SID = "AC0123456789"


@dataclass
class Mail:
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        payload = self.message.get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(payload)


@dataclass
class Inbox:
    """What a server received, with a condition to wait on."""

    items: list[Any] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, item: Any) -> None:
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.items) >= count, timeout=timeout)

    def clear(self) -> None:
        with self.cond:
            self.items.clear()


@dataclass
class SmtpSink(Inbox):
    """The inbox of Mail an SMTP server received, and the server's port."""

    port: int = 0


class _SmtpHandler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(  # noqa: N802  (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.inbox.add(Mail(to=list(envelope.rcpt_tos), message=message_from_bytes(content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    """An SMTP server on 127.0.0.1 recording every mail it accepts."""
    sink = SmtpSink(port=free_port())
    controller = Controller(_SmtpHandler(sink), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class HttpStub:
    inbox: Inbox
    port: int
    # Statuses to answer with, in order, before answering 200 (a provider outage).
    failures: list[int]
    # Cleared: a POST is recorded, then its reply waits until this is set again (a send
    # that reached the receiver while its sender may die before hearing back).
    replying: threading.Event

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[Request]:
        with self.inbox.cond:
            return list(self.inbox.items)


@contextmanager
def http_stub() -> Iterator[HttpStub]:
    """A threaded HTTP server that records every POST (and GET); 200 unless failures are
    scripted (POST only)."""
    inbox = Inbox()
    failures: list[int] = []
    lock = threading.Lock()
    replying = threading.Event()
    replying.set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                status = failures.pop(0) if failures else 200
            if status == 200:
                inbox.add(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            replying.wait(timeout=60)
            reply = b'{"sid": "SM0001"}' if status == 200 else b'{"message": "unavailable"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_GET(self) -> None:
            inbox.add(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, b""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield HttpStub(
            inbox=inbox, port=server.server_address[1], failures=failures, replying=replying
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
def http() -> Iterator[HttpStub]:
    with http_stub() as stub:
        yield stub


def paging_settings(db_url: str, smtp: SmtpSink, http: HttpStub) -> Settings:
    """Email goes to `smtp`; SMS and voice calls (Twilio's API shape) to `http` under /twilio,
    pushes (ntfy's) under /push; outgoing webhooks may reach its loopback address."""
    return Settings(
        database_url=db_url,
        rate_limit_scale=0,
        base_url="https://oncall.example.com",
        smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp.port}"),
        smtp_from="pager@oncall.example.com",
        sms_url=f"{http.url}/twilio",
        sms_account_sid=SMS_SID,
        sms_auth_token=SecretStr("token"),
        sms_from="+15550009999",
        push_url=f"{http.url}/push",
        webhook_allowlist="127.0.0.0/8",
    )
