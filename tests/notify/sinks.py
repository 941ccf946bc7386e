"""Real servers for channel tests: an aiosmtpd SMTP server and a threaded HTTP server,
both on 127.0.0.1 with a port chosen by the OS."""

# ruff: noqa: ARG002  (aiosmtpd and http.server call these hooks with fixed signatures)

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

T = TypeVar("T")


def run_async(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine in a fresh event loop on its own thread.

    Not `asyncio.run` on the test's thread: a session-scoped fixture elsewhere in the suite
    (Playwright's sync API) keeps an event loop running there, and asyncio.run refuses then.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted mail and can refuse recipients."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.protocols: list[SMTP] = []
        self.refuse: dict[str, str] = {}
        self.credentials: tuple[str, str] | None = None
        self.port = 0

    @property
    def connections(self) -> int:
        return len(self.protocols)

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802  (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.credentials is not None
            and (data.login.decode(), data.password.decode()) == self.credentials
        )
        # handled=False: the server, not this hook, answers 235 or 535.
        return AuthResult(success=ok, handled=False)

    def drop_connections(self) -> None:
        """Close every connection from the server side, as an idle timeout would."""
        for protocol in self.protocols:
            if protocol.transport is not None:
                protocol.transport.close()

    def mails(self) -> list[tuple[str, list[str], str]]:
        """(envelope sender, recipients, raw message text) of every accepted mail."""
        return [
            (
                str(e.mail_from),
                list(e.rcpt_tos),
                (e.content if isinstance(e.content, bytes) else b"").decode(),
            )
            for e in self.envelopes
        ]


@asynccontextmanager
async def smtp_server(*, credentials: tuple[str, str] | None = None) -> AsyncIterator[SmtpSink]:
    """An SMTP server in the running event loop; stops with the block."""
    sink = SmtpSink()
    sink.credentials = credentials

    def factory() -> SMTP:
        protocol = SMTP(
            sink,
            hostname="sink.local",
            auth_require_tls=False,
            authenticator=sink.authenticate if credentials else None,
        )
        sink.protocols.append(protocol)
        return protocol

    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    sink.port = server.sockets[0].getsockname()[1]
    try:
        yield sink
    finally:
        server.close()
        sink.drop_connections()
        await server.wait_closed()
        await asyncio.sleep(0)  # let the closed transports finish


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpSink:
    """Records each request; answers from `replies` in order, then with `default`."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    replies: list[tuple[int, bytes]] = field(default_factory=list)
    default: tuple[int, bytes] = (200, b'{"sid": "SM0001"}')

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def http_server() -> Iterator[HttpSink]:
    """A threaded HTTP server on 127.0.0.1 that records what it receives."""
    sink = HttpSink()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is visible

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                sink.requests.append(
                    Received(
                        "POST",
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        self.client_address[1],
                    )
                )
                status, reply = sink.replies.pop(0) if sink.replies else sink.default
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
