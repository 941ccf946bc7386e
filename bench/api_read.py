"""Read-path benchmark: users and team members through a live `openoncall serve`.

    .venv/bin/python bench/api_read.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                       [--seconds 10] [--concurrency 32]

For each backend (SQLite always; PostgreSQL when --pg-url or OPENONCALL_TEST_PG_URL is given,
in a scratch database created and dropped here), it seeds 1,000 users and 100 teams of 10
members through the services, starts `openoncall serve --no-engine` as a subprocess with
rate limits off (OPENONCALL_RATE_LIMIT_SCALE=0), and measures at 32 concurrent keep-alive
connections:

    GET /api-public/v1/user                    (all 1,000 users)
    GET /api-public/v1/team/{team}/members     (10 members; a different team per request)

beside a bare ASGI hello endpoint (uvicorn serving a minimal Starlette app) measured in the
same run, and prints req/s, p50, p99 and the API's req/s as a share of the bare endpoint's.
The aim (issue 2): at least 5% of the bare endpoint's req/s, p99 under 30 ms.

The load comes from `wrk` when it is installed (`apt-get install wrk`: a C load generator
that does not steal the server's CPU the way a Python client would); otherwise from a small
asyncio client in this process, whose own ceiling then caps the bare endpoint's figure.
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

# wrk script: rotate through the team URLs so each request reads a different team.
WRK_TEAMS_LUA = """
local paths = {{{paths}}}
local i = 0
request = function()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i])
end
"""


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
def running(cmd: list[str], env: dict[str, str], probe: str) -> Iterator[None]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(probe, proc)
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed(db_url: str) -> tuple[dict[str, str], list[str]]:
    """1,000 users, 100 teams of 10; returns the API headers and the team slugs."""
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
    return headers, slugs


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


def bench_backend(backend: str, args: argparse.Namespace) -> list[Result]:
    results = []
    with scratch_database(backend, args.pg_url) as db_url:
        headers, slugs = seed(db_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
        env.update(
            OPENONCALL_DATABASE_URL=db_url,
            OPENONCALL_RATE_LIMIT_SCALE="0",
            OPENONCALL_LOG_LEVEL="WARNING",
        )

        hello_port = free_port()
        hello = [sys.executable, "-c", HELLO_APP.format(port=hello_port)]
        with running(hello, env, f"http://127.0.0.1:{hello_port}/"):
            results.append(
                measure(
                    f"{backend}: bare ASGI hello", f"http://127.0.0.1:{hello_port}", ["/"], {}, args
                )
            )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [EXE, "serve", "--no-engine", "--port", str(port)]
        with running(serve, env, f"{base}/healthz"):
            users = httpx.get(f"{base}/api-public/v1/user", headers=headers, timeout=30)
            assert users.status_code == 200, users.text
            assert sum(len(g) for g in users.json()["users"]) == USERS
            members = httpx.get(f"{base}/api-public/v1/team/{slugs[0]}/members", headers=headers)
            assert members.status_code == 200, members.text
            # Warm-up: connection pools, caches, the interpreter.
            for slug in slugs:
                httpx.get(f"{base}/api-public/v1/team/{slug}/members", headers=headers)
            results.append(
                measure(
                    f"{backend}: GET /api-public/v1/user",
                    base,
                    ["/api-public/v1/user"],
                    headers,
                    args,
                )
            )
            results.append(
                measure(
                    f"{backend}: GET /api-public/v1/team/{{team}}/members",
                    base,
                    [f"/api-public/v1/team/{s}/members" for s in slugs],
                    headers,
                    args,
                )
            )
    return results


def report(results: list[Result]) -> None:
    hello = results[0]
    for r in results:
        share = "" if r is hello else f"{100 * r.rps / hello.rps:5.1f}% of bare"
        aim = ""
        if r is not hello:
            ok = r.rps >= 0.05 * hello.rps and r.p99_ms < 30
            aim = "meets aim" if ok else "BELOW AIM"
        print(
            f"  {r.name:<52} {r.rps:9.0f} req/s  p50 {r.p50_ms:7.2f} ms  "
            f"p99 {r.p99_ms:7.2f} ms  errors {r.errors:<3} {share}  {aim}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pg", "--pg-url", dest="pg_url", default=os.environ.get("OPENONCALL_TEST_PG_URL")
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    args.wrk = shutil.which("wrk") is not None
    backends = args.backend or (["sqlite", "postgresql"] if args.pg_url else ["sqlite"])
    print(
        f"load: {'wrk' if args.wrk else 'asyncio httpx (install wrk for a truer bare figure)'}"
        f", {args.concurrency} connections, {args.seconds} s each; {os.cpu_count()} cores"
    )
    for backend in backends:
        results = bench_backend(backend, args)
        print(f"{backend}:")
        report(results)


if __name__ == "__main__":
    main()
