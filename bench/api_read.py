"""API benchmark: reads, writes and history through a live `openoncall serve` (issue 11).

    .venv/bin/python bench/api_read.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--seconds 10] [--concurrency 32] [--history] [--rss] [--soak 60]

For each backend (SQLite always; PostgreSQL when --pg or OPENONCALL_TEST_PG_URL is given, in a
scratch database created and dropped here) it seeds 1,000 users, 100 teams of 10 members and
10,000 incidents (50 of them current), starts `openoncall serve --no-engine` with rate limits
off (OPENONCALL_RATE_LIMIT_SCALE=0) and measures, beside a bare Starlette hello served by the
same uvicorn in the same run:

    GET  /api-public/v1/policies/types/timeouts  cheapest authenticated call  aim >= 20% of bare
    GET  /api-public/v1/user                     all 1,000 users   aim >= 400 req/s, p99 <= 100 ms
    GET  /api-public/v1/team/{team}/members      a different team per request
    GET  /api-public/v1/incidents                10,000 incidents in the database  aim >= 5% of bare
    GET  /api-reporting/v2/incidents?limit=100   the history's newest page
    POST /api-public/v1/user                     a new user per request            aim >= 5% of bare
    PUT  /api-public/v1/user/{user}              a different user per request      aim >= 5% of bare
    POST /api-public/v1/team                     a new team per request            aim >= 5% of bare

--history then adds 90,000 resolved incidents and 1,000,000 alerts (generated inside the
database) and measures the two incident reads again (aim: within 2x of the 10,000 figure).
--rss adds 9,000 users and reports the server's peak RSS above idle while 8 clients fetch all
10,000 users (aim: <= 50 MB). --soak N runs 64 connections for N seconds over a mix of the
reads and counts 5xx (aim: 0).

The load comes from `wrk` when it is installed (`apt-get install wrk`: a C load generator that
does not steal the server's CPU the way a Python client would); otherwise from a small asyncio
client in this process, whose own ceiling then caps the bare endpoint's figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `bench.history` when run as a script
EXE = str(Path(sys.executable).with_name("openoncall"))
USERS, TEAMS, MEMBERS_PER_TEAM = 1000, 100, 10

HELLO_APP = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
import uvicorn

async def hello(request):
    return PlainTextResponse("hello")

app = Starlette(routes=[Route("/", hello)])
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning")
"""

# wrk script: rotate through the URLs so each request reads a different one.
WRK_TEAMS_LUA = """
local paths = {{{paths}}}
local i = 0
request = function()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i])
end
"""

# wrk script for writes: every request a new name (thread number + counter), JSON bodies.
# `body` is a Lua expression over `name` and `n`.
WRK_WRITE_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  wrk.headers["Content-Type"] = "application/json"
end
local n = 0
request = function()
  n = n + 1
  local name = "{prefix}" .. tid .. "x" .. n
  return wrk.format("{method}", {path}, nil, {body})
end
"""

WRITES = {
    "POST /api-public/v1/user": {
        "method": "POST",
        "path": '"/api-public/v1/user"',
        "body": '\'{"username":"\' .. name .. \'","firstName":"W","lastName":"B",'
        '"email":"\' .. name .. \'@bench.example"}\'',
    },
    "PUT /api-public/v1/user/{user}": {
        "method": "PUT",
        "path": "string.format('/api-public/v1/user/user%04d', (n * 7 + tid * 131) % 999)",
        "body": 'string.format(\'{"username":"user%04d","firstName":"F\' .. n .. \'",'
        '"lastName":"Bench","email":"user%04d@bench.example"}\', '
        "(n * 7 + tid * 131) % 999, (n * 7 + tid * 131) % 999)",
    },
    "POST /api-public/v1/team": {
        "method": "POST",
        "path": '"/api-public/v1/team"',
        "body": "'{\"name\":\"Team ' .. name .. '\"}'",
    },
}


@dataclass(frozen=True)
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def running(cmd: list[str], env: dict[str, str], probe: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(probe, proc)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed(db_url: str) -> tuple[dict[str, str], list[str], int]:
    """1,000 users, 100 teams of 10; returns the API headers, the team slugs, the org's id."""
    from openoncall.auth.passwords import use_fast_hashing
    from openoncall.clock import SystemClock
    from openoncall.db import migrate
    from openoncall.db.engine import make_engine
    from openoncall.db.session import Sessions
    from openoncall.orgs.service import bootstrap_org, get_org
    from openoncall.teams.service import add_member, create_team
    from openoncall.users.service import create_user

    use_fast_hashing()
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    sessions = Sessions.for_engine(engine)
    now = SystemClock().now()
    try:
        with sessions.transaction() as session:
            boot = bootstrap_org(
                session,
                org_name="Bench",
                admin_username="admin",
                admin_email="admin@bench.example",
                admin_password="bench password",
                now=now,
            )
            org_id = get_org(session, boot.org_slug).id
            names = [f"user{i:04d}" for i in range(USERS - 1)]
            for name in names:
                create_user(
                    session,
                    org_id,
                    username=name,
                    first_name=name.title(),
                    last_name="Bench",
                    email=f"{name}@bench.example",
                    now=now,
                )
            slugs = []
            for t in range(TEAMS):
                team = create_team(session, org_id, name=f"Team {t:03d}", now=now)
                slugs.append(team.slug)
                for m in range(MEMBERS_PER_TEAM):
                    add_member(
                        session, org_id, team.slug, names[(t * MEMBERS_PER_TEAM + m) % len(names)]
                    )
    finally:
        engine.dispose()
    headers = {"X-VO-Api-Id": boot.api_id, "X-VO-Api-Key": boot.api_key}
    return headers, slugs, org_id


_WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    name: str,
    base: str,
    path: str,
    headers: dict[str, str],
    *,
    args: argparse.Namespace,
    script: str | None = None,
) -> Result:
    cmd = ["wrk", "-t2", f"-c{args.concurrency}", f"-d{args.seconds}s", "--latency"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
    if script:
        cmd += ["-s", lua.name]
    out = subprocess.run([*cmd, base + path], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    latency = {p: float(v) * _UNIT_MS[u] for p, v, u in _WRK_LATENCY.findall(out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    sock = re.search(r"Socket errors:.*", out)
    if sock:
        print(f"  {name}: {sock.group(0)}")
    return Result(name, rps, latency["50"], latency["99"], errors)


async def _py_load(
    name: str, base: str, paths: list[str], headers: dict[str, str], args: argparse.Namespace
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + args.seconds

    async def client(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers=headers) as c:
            i = n
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                r = await c.get(paths[i % len(paths)])
                latencies.append(time.perf_counter() - started)
                errors += r.status_code >= 400
                i += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return Result(name, len(latencies) / elapsed, q[49] * 1000, q[98] * 1000, errors)


def measure(
    name: str, base: str, paths: list[str], headers: dict[str, str], args: argparse.Namespace
) -> Result:
    if args.wrk:
        script = None
        if len(paths) > 1:
            script = WRK_TEAMS_LUA.format(paths=", ".join(f'"{p}"' for p in paths))
        return wrk(name, base, paths[0], headers, args=args, script=script)
    return asyncio.run(_py_load(name, base, paths, headers, args))


@contextmanager
def scratch_database(backend: str, pg_url: str | None) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    assert pg_url is not None
    name = f"oo_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Aim:
    share_of_bare: float = 0.0  # at least this share of the bare hello's req/s
    rps: float = 0.0  # at least this many req/s
    p99_ms: float = float("inf")  # at most this p99
    within_of: str = ""  # at most 2x the req/s cost of this earlier row (history)

    def verdict(self, r: Result, bare: Result, rows: dict[str, Result]) -> str:
        ok = r.rps >= self.share_of_bare * bare.rps and r.rps >= self.rps
        ok = ok and r.p99_ms <= self.p99_ms and r.errors == 0
        if self.within_of:
            ok = ok and r.rps >= rows[self.within_of].rps / 2
        return "meets aim" if ok else "BELOW AIM"


TRIVIAL = "/api-public/v1/policies/types/timeouts"
READS: list[tuple[str, Aim]] = [
    ("GET cheapest authenticated (policies/types/timeouts)", Aim(share_of_bare=0.20)),
    ("GET /api-public/v1/user (1,000 users)", Aim(rps=400, p99_ms=100)),
    ("GET /api-public/v1/team/{team}/members", Aim()),  # no aim in issue 11: for reference
    ("GET /api-public/v1/incidents (10,000 in the db)", Aim(share_of_bare=0.05)),
    ("GET /api-reporting/v2/incidents?limit=100 (10,000)", Aim()),
]
HISTORY: list[tuple[str, Aim]] = [
    (
        "GET /api-public/v1/incidents (100,000 + 1M alerts)",
        Aim(within_of="GET /api-public/v1/incidents (10,000 in the db)"),
    ),
    (
        "GET /api-reporting/v2/incidents?limit=100 (100,000)",
        Aim(within_of="GET /api-reporting/v2/incidents?limit=100 (10,000)"),
    ),
]


def _read_paths(slugs: list[str]) -> list[list[str]]:
    return [
        [TRIVIAL],
        ["/api-public/v1/user"],
        [f"/api-public/v1/team/{s}/members" for s in slugs],
        ["/api-public/v1/incidents"],
        ["/api-reporting/v2/incidents?limit=100"],
    ]


def measure_writes(base: str, headers: dict[str, str], args: argparse.Namespace) -> list[Result]:
    results = []
    for name, parts in WRITES.items():
        script = WRK_WRITE_LUA.format(prefix=f"b{os.getpid()}", **parts)
        if args.wrk:
            results.append(wrk(name, base, "/", headers, args=args, script=script))
    return results


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure_rss(pid: int, base: str, headers: dict[str, str], args: argparse.Namespace) -> str:
    """Peak RSS above idle while 8 connections fetch every user for a few seconds."""
    idle = rss_kb(pid)
    peak = idle
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    quick = argparse.Namespace(**{**vars(args), "concurrency": 8, "seconds": 5})
    try:
        r = measure(
            "GET /api-public/v1/user (10,000 users)", base, ["/api-public/v1/user"], headers, quick
        )
    finally:
        stop.set()
        sampler.join()
    above = (peak - idle) / 1024
    aim = "meets aim" if above <= 50 else "BELOW AIM"
    return (
        f"  RSS while 8 clients fetch 10,000 users: idle {idle / 1024:.0f} MB, peak "
        f"{peak / 1024:.0f} MB, {above:.0f} MB above idle ({r.rps:.0f} req/s, p99 "
        f"{r.p99_ms:.0f} ms)  {aim}"
    )


def soak(base: str, headers: dict[str, str], slugs: list[str], args: argparse.Namespace) -> str:
    paths = [
        TRIVIAL,
        "/api-public/v1/user",
        "/api-public/v1/incidents",
        "/api-public/v1/oncall/current",
    ] + [f"/api-public/v1/team/{s}/members" for s in slugs[:20]]
    long = argparse.Namespace(**{**vars(args), "concurrency": 64, "seconds": args.soak})
    r = measure(f"soak: 64 connections, {args.soak} s, mixed reads", base, paths, headers, long)
    aim = "meets aim" if r.errors == 0 else "BELOW AIM"
    return f"  {r.name}: {r.rps:.0f} req/s, p99 {r.p99_ms:.0f} ms, non-2xx {r.errors}  {aim}"


def bench_backend(backend: str, args: argparse.Namespace) -> list[str]:
    from bench.history import add_alerts, add_incidents, add_users, analyze
    from openoncall.clock import SystemClock

    lines: list[str] = []
    with scratch_database(backend, args.pg_url) as db_url:
        headers, slugs, org_id = seed(db_url)
        now = SystemClock().now()
        add_incidents(db_url, org_id, total=10_000, first_number=1, now=now)
        analyze(db_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
        env.update(
            OPENONCALL_DATABASE_URL=db_url,
            OPENONCALL_RATE_LIMIT_SCALE="0",
            OPENONCALL_LOG_LEVEL="WARNING",
        )

        hello_port = free_port()
        hello = [sys.executable, "-c", HELLO_APP.format(port=hello_port)]
        with running(hello, env, f"http://127.0.0.1:{hello_port}/"):
            bare = measure(
                "bare Starlette hello", f"http://127.0.0.1:{hello_port}", ["/"], {}, args
            )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [EXE, "serve", "--no-engine", "--port", str(port)]
        rows: dict[str, Result] = {}
        aims: dict[str, Aim] = {}
        with running(serve, env, f"{base}/healthz") as proc:
            users = httpx.get(f"{base}/api-public/v1/user", headers=headers, timeout=30)
            assert users.status_code == 200, users.text
            assert sum(len(g) for g in users.json()["users"]) == USERS
            incidents = httpx.get(f"{base}/api-public/v1/incidents", headers=headers, timeout=30)
            assert len(incidents.json()["incidents"]) == 50, incidents.text
            for slug in slugs:  # warm-up: pools, caches, the interpreter
                httpx.get(f"{base}/api-public/v1/team/{slug}/members", headers=headers)
            for (name, aim), paths in zip(READS, _read_paths(slugs), strict=True):
                rows[name], aims[name] = measure(name, base, paths, headers, args), aim
            for r in measure_writes(base, headers, args):
                rows[r.name], aims[r.name] = r, Aim(share_of_bare=0.05)
            if args.soak:
                lines.append(soak(base, headers, slugs, args))
        if args.history:
            add_incidents(db_url, org_id, total=90_000, first_number=10_001, now=now)
            add_alerts(db_url, org_id, total=1_000_000, now=now)
            analyze(db_url)
            with running(serve, env, f"{base}/healthz"):
                for (name, aim), path in zip(
                    HISTORY,
                    ["/api-public/v1/incidents", "/api-reporting/v2/incidents?limit=100"],
                    strict=True,
                ):
                    httpx.get(base + path, headers=headers, timeout=60)
                    rows[name], aims[name] = measure(name, base, [path], headers, args), aim
        if args.rss:
            add_users(db_url, org_id, total=9_000, now=now)
            with running(serve, env, f"{base}/healthz") as proc:
                lines.append(measure_rss(proc.pid, base, headers, args))
    table = [
        f"  {bare.name:<56} {bare.rps:9.0f} req/s  p50 {bare.p50_ms:7.2f} ms  "
        f"p99 {bare.p99_ms:7.2f} ms"
    ]
    for name, r in rows.items():
        table.append(
            f"  {name:<56} {r.rps:9.0f} req/s  p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms"
            f"  errors {r.errors:<3} {100 * r.rps / bare.rps:5.1f}% of bare  "
            f"{aims[name].verdict(r, bare, rows)}"
        )
    return table + lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg", "--pg-url", dest="pg_url", default=os.environ.get("OPENONCALL_TEST_PG_URL")
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--history", action="store_true", help="100,000 incidents, 1M alerts")
    parser.add_argument("--rss", action="store_true", help="RSS while streaming 10,000 users")
    parser.add_argument("--soak", type=int, default=0, help="seconds of 64-connection load")
    args = parser.parse_args()
    args.wrk = shutil.which("wrk") is not None
    backends = args.backend or (["sqlite", "postgresql"] if args.pg_url else ["sqlite"])
    print(
        f"load: {'wrk' if args.wrk else 'asyncio httpx (install wrk for a truer bare figure)'}"
        f", {args.concurrency} connections, {args.seconds} s each; {os.cpu_count()} cores"
    )
    for backend in backends:
        lines = bench_backend(backend, args)
        print(f"{backend}:")
        print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
