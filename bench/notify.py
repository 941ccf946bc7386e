"""Alert-to-first-notification latency: alert POST sent → webhook or email received by a sink.

    .venv/bin/python bench/notify.py     # SQLite + PostgreSQL, webhook + email, 50 + 200 alerts/s
    .venv/bin/python bench/notify.py --db sqlite --sink webhook --rates 200 --seconds 20
    .venv/bin/python bench/notify.py --pg postgresql://postgres@127.0.0.1:5432/postgres

For each database and sink it:
1. makes a fresh database (a SQLite file in a temp dir, or a new PostgreSQL database),
   runs `openoncall bootstrap`, adds the webhook with `openoncall webhooks add`, and starts
   `openoncall serve` (HTTP and the paging engine in one process, as a user runs it) with
   OPENONCALL_SMTP_URL pointing at the local SMTP sink;
2. creates a team, an escalation policy whose one step pages the sink (a webhook entry, or an
   email entry), and a routing key for it, through the public API;
3. sends CRITICAL alerts for distinct entities (each opens one incident, so each must give
   exactly one page) at a fixed rate, open loop, over keep-alive connections;
4. timestamps every page where the sink receives it (a threaded HTTP server; aiosmtpd), and
   reports p50/p95/p99 of (received - sent), plus pages lost (none after 120 s) and doubled.

A storm phase then sends `--storm` alerts for ONE entity as fast as possible: they fold into
one incident, which must page exactly once (and the SMTP sink shows connections reused).
"""

# ruff: noqa: ARG002  (aiosmtpd and http.server call these hooks with fixed signatures)

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ENTITY = re.compile(rb"bench-[0-9a-f]{6}-\d+-\d+")
LOST_AFTER_SECONDS = 120


# ---------------------------------------------------------------------------- sinks


@dataclass
class Arrivals:
    """Entity id → arrival times (perf_counter), shared by the sink threads."""

    times: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    smtp_connections: int = 0

    def record(self, raw: bytes) -> None:
        now = time.perf_counter()
        match = ENTITY.search(raw)
        if match is None:
            return
        with self.lock:
            self.times.setdefault(match.group().decode(), []).append(now)


@contextmanager
def webhook_sink(arrivals: Arrivals) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrivals.record(body)
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
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _SmtpHandler:
    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals

    async def handle_EHLO(  # noqa: N802  (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        with self.arrivals.lock:
            self.arrivals.smtp_connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(  # noqa: N802  (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.arrivals.record(content)
        return "250 OK"


@contextmanager
def smtp_sink(arrivals: Arrivals) -> Iterator[int]:
    port = free_port()
    controller = Controller(_SmtpHandler(arrivals), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


# ---------------------------------------------------------------------------- load


class Connection:
    """A keep-alive HTTP/1.1 connection posting JSON (far cheaper than a full client)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes) -> int:
        assert self.reader is not None
        assert self.writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status


async def send_at_rate(
    port: int, path: str, entities: list[str], rate: float, connections: int = 32
) -> tuple[dict[str, float], int]:
    """Open loop: alert i leaves at start + i/rate on a free connection; returns send times."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        conn = Connection(port)
        await conn.open()
        pool.put_nowait(conn)
    sent: dict[str, float] = {}
    errors = 0
    start = time.perf_counter()

    async def one(entity: str) -> None:
        nonlocal errors
        conn = await pool.get()
        body = json.dumps(
            {"message_type": "CRITICAL", "entity_id": entity, "state_message": "bench"}
        ).encode()
        sent[entity] = time.perf_counter()
        try:
            if await conn.post(path, body) != 200:
                errors += 1
        finally:
            pool.put_nowait(conn)

    tasks = []
    for i, entity in enumerate(entities):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(entity)))
    await asyncio.gather(*tasks)
    return sent, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def wait_for_pages(arrivals: Arrivals, entities: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with arrivals.lock:
            if all(e in arrivals.times for e in entities):
                return
        time.sleep(0.05)


# ---------------------------------------------------------------------------- setup


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fresh_database(kind: str, pg_url: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"bench_notify_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_database(kind: str, db_url: str, pg_url: str) -> None:
    if kind != "postgresql":
        return
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    admin = make_url(pg_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, "-m", "openoncall", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("serve did not come up")


def setup_paging(port: int, boot: dict[str, Any], sink: str, webhook_slug: str) -> None:
    headers = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]}
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30)
    team = api.post("/api-public/v1/team", json={"name": "Bench"}).raise_for_status().json()
    entry = (
        {"executionType": "webhook", "webhook": {"slug": webhook_slug}}
        if sink == "webhook"
        else {"executionType": "email", "email": {"address": "noc@bench.example"}}
    )
    policy = (
        api.post(
            "/api-public/v1/policies",
            json={
                "name": "Bench",
                "teamSlug": team["slug"],
                "steps": [{"timeout": 0, "entries": [entry]}],
            },
        )
        .raise_for_status()
        .json()
    )
    api.post(
        "/api-public/v1/org/routing-keys", json={"routingKey": "bench", "targets": [policy["slug"]]}
    ).raise_for_status()


# ---------------------------------------------------------------------------- runs


def measure(
    port: int, path: str, arrivals: Arrivals, *, rate: float, seconds: float, tag: str
) -> dict[str, Any]:
    entities = [f"bench-{tag}-{int(rate)}-{i}" for i in range(int(rate * seconds))]
    sent, errors = asyncio.run(send_at_rate(port, path, entities, rate))
    # A backlog drains after the sending stops: only what never arrives counts as lost.
    wait_for_pages(arrivals, entities, timeout=LOST_AFTER_SECONDS)
    with arrivals.lock:
        got = {e: list(arrivals.times.get(e, [])) for e in entities}
    latencies = [(times[0] - sent[e]) * 1000 for e, times in got.items() if times]
    return {
        "rate": rate,
        "alerts": len(entities),
        "http_errors": errors,
        "pages": sum(len(t) for t in got.values()),
        "lost": sum(1 for t in got.values() if not t),
        "doubled": sum(1 for t in got.values() if len(t) > 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


def storm(port: int, path: str, arrivals: Arrivals, alerts: int, tag: str) -> dict[str, Any]:
    entity = f"bench-{tag}-0-999999"
    asyncio.run(send_at_rate(port, path, [entity] * alerts, rate=1e6))
    wait_for_pages(arrivals, [entity], timeout=LOST_AFTER_SECONDS)
    time.sleep(1)
    with arrivals.lock:
        pages = len(arrivals.times.get(entity, []))
    return {"storm_alerts": alerts, "pages": pages}


def run(kind: str, sink: str, args: argparse.Namespace) -> dict[str, Any]:
    arrivals = Arrivals()
    tag = uuid.uuid4().hex[:6]
    with (
        tempfile.TemporaryDirectory() as tmpdir,
        webhook_sink(arrivals) as hook_port,
        smtp_sink(arrivals) as smtp_port,
    ):
        tmp = Path(tmpdir)
        db_url = fresh_database(kind, args.pg, tmp)
        env = {
            **os.environ,
            "OPENONCALL_DATABASE_URL": db_url,
            "OPENONCALL_RATE_LIMIT_SCALE": "0",
            "OPENONCALL_LOG_LEVEL": "WARNING",
            "OPENONCALL_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            # The webhook sink listens on loopback, which webhooks reach only when allowed.
            "OPENONCALL_WEBHOOK_ALLOWLIST": "127.0.0.0/8",
        }
        serve: subprocess.Popen[str] | None = None
        log = tmp / "serve.log"
        try:
            boot = cli(
                env,
                "bootstrap",
                "--org",
                "Bench",
                "--admin",
                "admin",
                "--email",
                "admin@bench.example",
                "--password",
                "bench-password",
                "--json",
            )
            hook = cli(
                env,
                "webhooks",
                "add",
                "--label",
                "sink",
                "--url",
                f"http://127.0.0.1:{hook_port}/hook",
                "--json",
            )
            port = free_port()
            with log.open("w") as err:
                serve = subprocess.Popen(
                    [PYTHON, "-m", "openoncall", "serve", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    text=True,
                )
            wait_up(port)
            setup_paging(port, boot, sink, hook["slug"])
            path = f"/integrations/generic/20131114/alert/{boot['restEndpointKey']}/bench"
            measure(port, path, arrivals, rate=20, seconds=1, tag=uuid.uuid4().hex[:6])  # warm-up
            runs = [
                measure(port, path, arrivals, rate=r, seconds=args.seconds, tag=tag)
                for r in args.rates
            ]
            result = {
                "db": kind,
                "sink": sink,
                "runs": runs,
                "storm": storm(port, path, arrivals, args.storm, tag),
                "smtp_connections": arrivals.smtp_connections,
            }
        finally:
            if serve is not None:
                serve.terminate()
                serve.wait(30)
                tail = log.read_text()[-2000:]
                if tail.strip():
                    print(f"--- serve log ({kind}/{sink}):\n{tail}", file=sys.stderr)
            drop_database(kind, db_url, args.pg)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sink", choices=["webhook", "email", "both"], default="both")
    parser.add_argument("--rates", type=float, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--storm", type=int, default=500)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    sinks = ["webhook", "email"] if args.sink == "both" else [args.sink]
    for kind in dbs:
        for sink in sinks:
            print(json.dumps(run(kind, sink, args)), flush=True)


if __name__ == "__main__":
    main()
