"""On-call read benchmark: `GET /api-public/v1/oncall/current` and a 30-day v2 team schedule
from a live `openoncall serve`, beside a bare ASGI endpoint measured in the same run.

    .venv/bin/python bench/oncall.py                      # SQLite (a fresh file in a temp dir)
    .venv/bin/python bench/oncall.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/oncall.py --requests 5000 --schedule-requests 400 --connections 8

What it does, for each database:
1. `openoncall bootstrap` on a fresh database, then seeds one organization with 200 teams,
   2,000 users (10 per team), 500 rotation groups (3 for half the teams, 2 for the others: a
   weekly 24/7 shift, a weekday 09:00-17:00 shift, a daily 24/7 shift, in five time zones), one
   two-step policy per team, and 1,000 scheduled overrides in the next 30 days (half of them
   assigned to a teammate);
2. starts `openoncall serve --no-engine` with OPENONCALL_RATE_LIMIT_SCALE=0 and a bare ASGI
   app (a fixed JSON answer, no framework, no database) under the same uvicorn;
3. for each target, after a warm-up, sends `--requests` GETs over `--connections` keep-alive
   connections and reports req/s and p50/p99 latency: the bare endpoint, on-call now, and
   (`--schedule-requests`) the 30-day v2 schedule of rotating teams.

The load comes from `wrk` when it is installed (`--seconds` per target, `--wrk-connections`,
bare Starlette hello from bench/api_read.py as the floor; aims of issue 11: on-call now >= 10%
of bare); otherwise (or with --no-wrk) from a minimal HTTP/1.1 client on asyncio streams, whose
own ceiling then caps the bare endpoint's figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402  (after the path set-up above)

from bench import api_read  # noqa: E402
from openoncall.clock import SystemClock  # noqa: E402

PYTHON = sys.executable
OPENONCALL = str(Path(PYTHON).parent / "openoncall")
ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney", "UTC"]
BARE_BODY = json.dumps({"teamsOnCall": []}).encode()


# ---------------------------------------------------------------- the bare ASGI endpoint


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The floor: a fixed JSON answer straight from ASGI."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BARE_BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BARE_BODY})


# ---------------------------------------------------------------- seeding


def seed(db_url: str, *, now: datetime) -> dict[str, Any]:  # noqa: PLR0915  (one straight script)
    """The organization's schedules, written through the models in one transaction."""
    from sqlalchemy import select

    import openoncall.models  # noqa: F401
    from openoncall.container import build_container
    from openoncall.ids import new_slug
    from openoncall.orgs.models import Organization
    from openoncall.overrides.models import OverrideAssignment, ScheduledOverride
    from openoncall.policies.models import EscalationEntry, EscalationPolicy, EscalationStep
    from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
    from openoncall.settings import Settings
    from openoncall.teams.models import Team, TeamMember
    from openoncall.users.models import User

    rnd = random.Random(7)
    container = build_container(Settings(database_url=db_url))
    weekdays = {
        "mask": {
            "day": {"m": True, "t": True, "w": True, "th": True, "f": True},
            "time": [{"start": {"hour": 9, "minute": 0}, "end": {"hour": 17, "minute": 0}}],
        }
    }
    anchor = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    team_slugs: list[str] = []
    with container.sessions.transaction() as session:
        org_id = session.scalars(select(Organization.id)).one()
        users = [
            User(
                org_id=org_id,
                username=f"user{i:04d}",
                first_name="User",
                last_name=f"{i:04d}",
                email=f"user{i:04d}@example.com",
                created_at=now,
            )
            for i in range(2000)
        ]
        session.add_all(users)
        session.flush()
        groups_total = 0
        team_members: list[list[User]] = []
        team_policies: list[EscalationPolicy] = []
        for t in range(200):
            team = Team(
                org_id=org_id, slug=new_slug("team", 16), name=f"Team {t:03d}", created_at=now
            )
            session.add(team)
            session.flush()
            team_slugs.append(team.slug)
            members = users[10 * t : 10 * t + 10]
            team_members.append(members)
            session.add_all(
                TeamMember(org_id=org_id, team_id=team.id, user_id=u.id, is_admin=i == 0)
                for i, u in enumerate(members)
            )
            group_ids = []
            for g in range(3 if t < 100 else 2):
                group = RotationGroup(
                    org_id=org_id,
                    team_id=team.id,
                    slug=new_slug("rtg", 16),
                    label=f"Rotation {g}",
                    created_at=now,
                )
                session.add(group)
                session.flush()
                group_ids.append(group.id)
                groups_total += 1
                kind, days, mask = [("std", 7, {}), ("pho", 7, weekdays), ("std", 1, {})][g]
                shift = RotationShift(
                    org_id=org_id,
                    group_id=group.id,
                    label=f"Shift {g}",
                    timezone=rnd.choice(ZONES),
                    shift_type=kind,
                    start_at=anchor,
                    handoff_days=days,
                    mask=mask,
                    member_offset=0,
                    created_at=now,
                )
                session.add(shift)
                session.flush()
                rota = rnd.sample(members, 4)
                session.add_all(
                    RotationMember(org_id=org_id, shift_id=shift.id, user_id=u.id, position=p)
                    for p, u in enumerate(rota)
                )
            policy = EscalationPolicy(
                org_id=org_id,
                team_id=team.id,
                slug=new_slug("pol", 16),
                name=f"Team {t:03d} policy",
                created_at=now,
            )
            session.add(policy)
            session.flush()
            team_policies.append(policy)
            first = EscalationStep(
                org_id=org_id, policy_id=policy.id, position=0, timeout_minutes=0
            )
            second = EscalationStep(
                org_id=org_id, policy_id=policy.id, position=1, timeout_minutes=15
            )
            session.add_all([first, second])
            session.flush()
            session.add_all(
                EscalationEntry(
                    org_id=org_id,
                    step_id=first.id,
                    position=i,
                    execution_type="rotation_group",
                    rotation_group_id=gid,
                )
                for i, gid in enumerate(group_ids)
            )
            session.add(
                EscalationEntry(
                    org_id=org_id,
                    step_id=second.id,
                    position=0,
                    execution_type="rotation_group_next",
                    rotation_group_id=group_ids[0],
                )
            )
            session.add(
                EscalationEntry(
                    org_id=org_id,
                    step_id=second.id,
                    position=1,
                    execution_type="user",
                    user_id=members[0].id,
                )
            )
        for n in range(1000):
            t = rnd.randrange(200)
            covered, stand_in = rnd.sample(team_members[t], 2)
            start = now.replace(minute=0, second=0, microsecond=0) + timedelta(
                hours=rnd.randrange(24 * 29)
            )
            override = ScheduledOverride(
                org_id=org_id,
                public_id=new_slug("ovr", 16),
                user_id=covered.id,
                timezone=rnd.choice(ZONES),
                start_at=start,
                end_at=start + timedelta(hours=rnd.randrange(4, 49)),
                created_at=now,
            )
            session.add(override)
            session.flush()
            session.add(
                OverrideAssignment(
                    org_id=org_id,
                    override_id=override.id,
                    policy_id=team_policies[t].id,
                    user_id=stand_in.id if n % 2 == 0 else None,
                )
            )
    container.engine.dispose()
    return {"teams": team_slugs, "groups": groups_total}


# ---------------------------------------------------------------- load generation


@dataclass
class Result:
    name: str
    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def row(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else float("nan")

        return {
            "target": self.name,
            "requests": self.ok + self.errors,
            "errors": self.errors,
            "req_per_s": round(self.ok / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
        }


class Connection:
    """A keep-alive HTTP/1.1 connection sending GETs with fixed headers."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def get(self, path: str) -> int:
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{self.extra}\r\n".encode())
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

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(
    name: str, port: int, paths: list[str], headers: dict[str, str], connections: int
) -> Result:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = Connection(port, headers)
        await conn.open()
        try:
            while not queue.empty():
                path = queue.get_nowait()
                start = time.perf_counter()
                status = await conn.get(path)
                latencies.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    errors += 1
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return Result(name, len(paths) - errors, errors, elapsed, latencies)


# ---------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_up(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not come up")


def fresh_pg_database(pg_url: str, name: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(pg_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


def bench_database(label: str, db_url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    env = {**os.environ, "OPENONCALL_DATABASE_URL": db_url, "OPENONCALL_RATE_LIMIT_SCALE": "0"}
    boot = subprocess.run(
        [
            *(OPENONCALL, "bootstrap", "--org", "Bench", "--admin", "admin"),
            *("--email", "admin@bench.example", "--password", "bench-password", "--json"),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    keys = json.loads(boot.stdout.strip().splitlines()[-1])
    t0 = time.perf_counter()
    seeded = seed(db_url, now=SystemClock().now())
    print(f"[{label}] seeded {seeded['groups']} rotation groups in {time.perf_counter() - t0:.1f}s")
    headers = {"X-VO-Api-Id": keys["apiId"], "X-VO-Api-Key": keys["apiKey"]}
    serve_port, bare_port = free_port(), free_port()
    serve = subprocess.Popen(
        [OPENONCALL, "serve", "--no-engine", "--port", str(serve_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bare = subprocess.Popen(
        [
            *(PYTHON, "-m", "uvicorn", "bench.oncall:bare_app", "--port", str(bare_port)),
            *("--log-level", "warning", "--no-access-log"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows: list[dict[str, Any]] = []
    try:
        wait_up(serve_port)
        wait_up(bare_port)
        now_path = "/api-public/v1/oncall/current"
        # The cheapest authenticated operation: the framework and auth floor of `serve`.
        trivial = "/api-public/v1/policies/types/timeouts"
        # A team's schedule is not cached: spread the requests over rotating teams.
        teams = seeded["teams"][:100]
        schedule_paths = [
            f"/api-public/v2/team/{teams[i % len(teams)]}/oncall/schedule?daysForward=30"
            for i in range(args.schedule_requests)
        ]

        async def run() -> None:
            n, c = args.requests, args.connections
            await load("warm-up", serve_port, [now_path, trivial] * 500, headers, c)
            await load("warm-up", serve_port, schedule_paths[:20], headers, 2)
            await load("warm-up", bare_port, ["/"] * 1000, {}, c)
            for result in [
                await load("bare ASGI endpoint", bare_port, ["/"] * n, {}, c),
                await load("GET policies/types (auth only)", serve_port, [trivial] * n, headers, c),
                await load("GET oncall/current", serve_port, [now_path] * n, headers, c),
                await load("GET v2 team schedule 30d", serve_port, schedule_paths, headers, c),
            ]:
                rows.append({"db": label, **result.row()})

        if args.wrk:
            rows += _wrk_rows(
                label,
                serve_port,
                headers=headers,
                warm=[now_path, trivial],
                schedule_paths=schedule_paths,
                args=args,
            )
        else:
            asyncio.run(run())
    finally:
        for proc in (serve, bare):
            proc.terminate()
            proc.wait(timeout=30)
    return rows


def _wrk_rows(
    label: str,
    serve_port: int,
    *,
    headers: dict[str, str],
    warm: list[str],
    schedule_paths: list[str],
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """The same targets under wrk, with bare Starlette (bench/api_read.py's hello) as the floor."""
    base = f"http://127.0.0.1:{serve_port}"
    for path in warm * 50:
        httpx.get(base + path, headers=headers)
    load_args = argparse.Namespace(wrk=True, concurrency=args.wrk_connections, seconds=args.seconds)
    hello_port = api_read.free_port()
    hello = [PYTHON, "-c", api_read.HELLO_APP.format(port=hello_port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
    with api_read.running(hello, env, f"http://127.0.0.1:{hello_port}/"):
        bare = api_read.measure(
            "bare ASGI endpoint", f"http://127.0.0.1:{hello_port}", ["/"], {}, load_args
        )
    results = [
        bare,
        api_read.measure("GET policies/types (auth only)", base, [warm[1]], headers, load_args),
        api_read.measure("GET oncall/current", base, [warm[0]], headers, load_args),
        api_read.measure("GET v2 team schedule 30d", base, schedule_paths, headers, load_args),
    ]
    return [
        {
            "db": label,
            "target": r.name,
            "requests": None,
            "errors": r.errors,
            "req_per_s": round(r.rps, 1),
            "p50_ms": round(r.p50_ms, 2),
            "p99_ms": round(r.p99_ms, 2),
        }
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", help="PostgreSQL server URL (a fresh database is made on it)")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--schedule-requests", type=int, default=200)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10, help="per target, under wrk")
    parser.add_argument("--wrk-connections", type=int, default=32)
    parser.add_argument("--no-wrk", action="store_true", help="the asyncio client even with wrk")
    args = parser.parse_args()
    args.wrk = shutil.which("wrk") is not None and not args.no_wrk
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            rows += bench_database("sqlite", f"sqlite:///{tmp}/bench.db", args)
        if args.pg:
            rows += bench_database("postgresql", fresh_pg_database(args.pg, "oncall_bench"), args)
    bare = {r["db"]: r["req_per_s"] for r in rows if r["target"] == "bare ASGI endpoint"}
    print(
        f"{'db':<11} {'target':<31} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  vs bare"
    )
    for r in rows:
        share = f"{100 * r['req_per_s'] / bare[r['db']]:.0f}%" if bare.get(r["db"]) else ""
        print(
            f"{r['db']:<11} {r['target']:<31} {r['req_per_s']:>8} {r['p50_ms']:>8} "
            f"{r['p99_ms']:>8} {r['errors']:>6}  {share}"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
