"""Alert-ingestion benchmark: `openoncall serve` as a user runs it, against a bare ASGI
endpoint doing one durable insert per request, measured in the same run.

    .venv/bin/python bench/ingest.py                       # SQLite (a fresh file in a temp dir)
    .venv/bin/python bench/ingest.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/ingest.py --alerts 20000 --entities 10000 --rate 200 --rate-seconds 10
    .venv/bin/python bench/ingest.py --also-no-engine   # also `serve --no-engine`

(From a fresh clone: `scripts/test` or `python3 -m venv .venv && .venv/bin/pip install -e
.[dev]` first; nothing else is needed for SQLite.)

What it does, for each target (`serve`, then the bare endpoint):
1. starts the server as a subprocess on a free port (serve: `openoncall bootstrap`, then
   `openoncall serve` with OPENONCALL_RATE_LIMIT_SCALE=0 on a fresh database);
2. sustained phase: `--alerts` CRITICAL alerts over `--entities` entities, each entity twice
   in shuffled order (so half the alerts deduplicate into open incidents), sent as fast as
   `--connections` keep-alive connections allow; reports alerts/s, p50/p99 latency, errors;
3. after `--settle` seconds, fixed-rate phase: `--rate` alerts/s for `--rate-seconds` (open
   loop: latency counts from the scheduled send time, so a slow server cannot hide
   queueing); p50/p99;
4. counts the rows afterwards: every 200 must be a stored alert (no loss).

The load generator is a minimal HTTP/1.1 client on asyncio streams (an order of magnitude
cheaper per request than httpx), because client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# ---------------------------------------------------------------- the bare ASGI endpoint


def bare_app(db_url: str) -> Any:
    """One insert + commit per request, on the event loop, no framework: the floor a naive
    'store the alert, then answer' endpoint would stand on."""
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        conn: Any = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # The same durability settings as openoncall's SQLite engine (WAL, synchronous=NORMAL).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_alert (id INTEGER PRIMARY KEY, uuid TEXT, body TEXT)"
        )

        def insert(body: str) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO bench_alert (uuid, body) VALUES (?, ?)", (str(uuid.uuid4()), body)
            )
            conn.execute("COMMIT")
    else:
        import psycopg

        conn = psycopg.connect(db_url, autocommit=True)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_alert "
            "(id BIGSERIAL PRIMARY KEY, uuid TEXT, body TEXT)"
        )

        def insert(body: str) -> None:
            conn.execute(
                "INSERT INTO bench_alert (uuid, body) VALUES (%s, %s)", (str(uuid.uuid4()), body)
            )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["method"] == "POST":
            data = json.loads(body)
            insert(body.decode())
            out = json.dumps({"result": "success", "entity_id": data.get("entity_id")}).encode()
        else:
            out = b"{}"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(out)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": out})

    return app


def run_bare(port: int, db_url: str) -> None:
    import uvicorn

    uvicorn.run(bare_app(db_url), host="127.0.0.1", port=port, log_level="warning")


# ---------------------------------------------------------------- load generation


@dataclass
class Phase:
    name: str
    sent: int
    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else float("nan")

        return {
            "phase": self.name,
            "alerts": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "alerts_per_s": round(self.ok / self.seconds, 1) if self.seconds else 0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": round(lat[-1], 2) if lat else float("nan"),
        }


class Connection:
    """A keep-alive HTTP/1.1 connection that POSTs JSON without a Content-Type fuss."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes) -> int:
        assert self.reader is not None
        assert self.writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("server closed the connection")
        status = int(status_line.split()[1])
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

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def sustained(port: int, path: str, bodies: list[bytes], connections: int) -> Phase:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = Connection("127.0.0.1", port)
        await conn.open()
        try:
            while True:
                try:
                    body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                start = time.perf_counter()
                try:
                    status = await conn.post(path, body)
                except (OSError, ValueError, asyncio.IncompleteReadError):
                    errors += 1
                    conn.close()
                    conn = Connection("127.0.0.1", port)
                    await conn.open()
                    continue
                latencies.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    errors += 1
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return Phase("sustained", len(bodies), len(bodies) - errors, errors, elapsed, latencies)


async def fixed_rate(port: int, path: str, bodies: list[bytes], rate: float) -> Phase:
    """Open loop: request i is due at start + i/rate; latency counts from that instant."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(64):
        conn = Connection("127.0.0.1", port)
        await conn.open()
        pool.put_nowait(conn)
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()

    async def one(i: int, body: bytes) -> None:
        nonlocal errors
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conn = await pool.get()
        try:
            status = await conn.post(path, body)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            errors += 1
            return
        finally:
            pool.put_nowait(conn)
        latencies.append((time.perf_counter() - due) * 1000)
        if status != 200:
            errors += 1

    await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait().close()
    return Phase(f"fixed {rate:g}/s", len(bodies), len(bodies) - errors, errors, elapsed, latencies)


# ---------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not come up")


def make_bodies(alerts: int, entities: int, seed: int, tag: str) -> list[bytes]:
    rnd = random.Random(seed)
    per_entity = max(1, alerts // entities)
    ids = [n for n in range(entities) for _ in range(per_entity)][:alerts]
    rnd.shuffle(ids)
    return [
        json.dumps(
            {
                "message_type": "CRITICAL",
                "entity_id": f"{tag}/host{n:05d}/disk",
                "entity_display_name": f"Disk full on host{n:05d}",
                "state_message": "95% used on /var",
                "monitoring_tool": "bench",
            }
        ).encode()
        for n in ids
    ]


def fresh_pg_database(pg_url: str, name: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(pg_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


def count_rows(db_url: str, table: str) -> int:
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    import psycopg

    with psycopg.connect(db_url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        assert row is not None
        return int(row[0])


def bench_target(
    name: str, port: int, path: str, args: argparse.Namespace, *, db_url: str, table: str
) -> dict[str, Any]:
    bodies = make_bodies(args.alerts, args.entities, seed=1, tag=f"{name}-s")
    rate_bodies = make_bodies(
        int(args.rate * args.rate_seconds), args.entities, seed=2, tag=f"{name}-r"
    )
    before = count_rows(db_url, table)
    first = asyncio.run(sustained(port, path, bodies, args.connections))
    # Let the server finish what the burst left behind (engine jobs, WAL checkpoints), so
    # the fixed-rate phase measures steady-state latency rather than the burst's tail.
    time.sleep(args.settle)
    phases = [first, asyncio.run(fixed_rate(port, path, rate_bodies, args.rate))]
    stored = count_rows(db_url, table) - before
    ok = sum(p.ok for p in phases)
    return {
        "target": name,
        "phases": [p.summary() for p in phases],
        "acknowledged": ok,
        "rows_stored": stored,
        "lost": ok - stored if stored < ok else 0,
    }


def bench_serve(
    label: str, extra: list[str], db_url: str, args: argparse.Namespace, log: Path
) -> dict[str, Any]:
    """Bootstrap a fresh database, start `openoncall serve` on it as a user would, measure."""
    env = {
        **os.environ,
        "OPENONCALL_DATABASE_URL": db_url,
        "OPENONCALL_RATE_LIMIT_SCALE": "0",
        "OPENONCALL_LOG_LEVEL": "WARNING",
    }
    openoncall = [PYTHON, "-m", "openoncall"]
    boot = subprocess.run(
        [
            *openoncall,
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
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    rest_key = json.loads(boot.stdout.strip().splitlines()[-1])["restEndpointKey"]
    port = free_port()
    serve = subprocess.Popen(
        [*openoncall, "serve", "--port", str(port), *extra],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        text=True,
    )
    try:
        wait_up(port, "/healthz")
        path = f"/integrations/generic/20131114/alert/{rest_key}/bench"
        result = bench_target(label, port, path, args, db_url=db_url, table="alert")
        result["incidents"] = count_rows(db_url, "incident")
        return result
    finally:
        serve.terminate()
        serve.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL admin URL; a fresh database is created")
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--rate-seconds", type=float, default=10)
    parser.add_argument("--settle", type=float, default=5, help="pause between the phases")
    parser.add_argument(
        "--also-no-engine",
        action="store_true",
        help="also measure `serve --no-engine` (ingestion without the paging engine)",
    )
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bare-db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        run_bare(args.bare_server, args.bare_db)
        return

    tmp = Path(tempfile.mkdtemp(prefix="oncall-bench-"))
    results = []
    targets: list[tuple[str, list[str]]] = [("openoncall serve", [])]
    if args.also_no_engine:
        targets.append(("openoncall serve --no-engine", ["--no-engine"]))
    for n, (label, extra) in enumerate(targets):
        if args.pg:
            db_url = fresh_pg_database(args.pg, f"oncall_bench_{n}")
        else:
            db_url = f"sqlite:///{tmp / f'openoncall{n}.db'}"
        results.append(bench_serve(label, extra, db_url, args, tmp / f"serve{n}.log"))

    bare_url = (
        fresh_pg_database(args.pg, "oncall_bench_bare")
        if args.pg
        else f"sqlite:///{tmp / 'bare.db'}"
    )
    port = free_port()
    bare = subprocess.Popen(
        [PYTHON, __file__, "--bare-server", str(port), "--bare-db", bare_url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "bare.log").open("w"),
        text=True,
    )
    try:
        wait_up(port, "/")
        results.append(
            bench_target(
                "bare ASGI, 1 insert/request",
                port,
                "/alert",
                args,
                db_url=bare_url,
                table="bench_alert",
            )
        )
    finally:
        bare.terminate()
        bare.wait(30)

    database = "postgresql" if args.pg else "sqlite"
    print(json.dumps({"database": database, "logs": str(tmp), "results": results}, indent=2))


if __name__ == "__main__":
    main()
