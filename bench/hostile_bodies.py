"""Server memory under hostile uploads: 100 concurrent 100 MB request bodies.

    .venv/bin/python bench/hostile_bodies.py                    # 100 x 100 MB
    .venv/bin/python bench/hostile_bodies.py --clients 20 --mb 10
    .venv/bin/python bench/hostile_bodies.py --unauthenticated-only --max-growth-mb 50

Starts `openoncall serve` on loopback (SQLite in a temp dir, one bootstrapped org), waits
until it idles, reads its resident memory, then opens `--clients` connections at once, each
streaming a `--mb` MB body to one of four targets, a quarter each:

- `/api-public/v1/incidents` with no API headers and a Content-Length (refused from the headers);
- the same, chunked (no length to check up front);
- the alert endpoint with a bogus REST key, chunked;
- `/api-public/v1/incidents` with a valid key, chunked: cut off at the body cap (413).

`--unauthenticated-only` drops the last target, so every client is unauthenticated (the three
others, a third each). `--max-growth-mb N` makes it a check: exit 1 when peak RSS grew more
than N MB over idle, an answer was other than the target's refusal, or /healthz failed after.

Each client sends until the server answers or closes, reading the answer concurrently. The
server's RSS is sampled every 10 ms (`/proc/<pid>/status`); the report gives idle RSS, peak
RSS during the run, the kernel's high-water mark (VmHWM), statuses, and bytes each client got
to send before the server stopped it (mostly the loopback socket buffers, not the server's
memory). A status of None means the connection was reset before the client read the answer:
the server closes a connection whose request it did not read to the end, and TCP then
answers the client's further bytes with a reset that may discard the answer unread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BLOCK = b"x" * 65536


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.01)


async def upload(
    port: int, path: str, headers: dict[str, str], size: int, *, chunked: bool
) -> tuple[int | None, int]:
    """(status or None when no answer was read, body bytes sent before the server stopped)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())

    async def answer() -> int | None:
        try:
            line = await reader.readline()
        except ConnectionError:
            return None
        parts = line.split()
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

    answering = asyncio.create_task(answer())
    sent = 0
    try:
        while sent < size and not answering.done():
            if chunked:
                writer.write(b"%x\r\n" % len(BLOCK) + BLOCK + b"\r\n")
            else:
                writer.write(BLOCK)
            await writer.drain()
            sent += len(BLOCK)
        if chunked and sent >= size:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except ConnectionError:
        pass
    try:
        status = await asyncio.wait_for(answering, 30)
    except TimeoutError:
        status = None
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return status, sent


# What each target must answer when it answers at all (None: reset before it was read).
# A body longer than every cap is refused from its Content-Length before its headers are
# authenticated (size, then caller), hence 413 for the first.
EXPECTED = {
    "no-headers+length": 413,
    "no-headers+chunked": 401,
    "bogus-rest-key+chunked": 404,
    "valid-key+chunked": 413,
}


async def storm(
    port: int, boot: dict[str, Any], clients: int, size: int, *, unauthenticated_only: bool
) -> list[Any]:
    good = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]}
    kinds = [
        ("no-headers+length", "/api-public/v1/incidents", {}, False),
        ("no-headers+chunked", "/api-public/v1/incidents", {}, True),
        ("bogus-rest-key+chunked", "/integrations/generic/20131114/alert/bogus/db", {}, True),
        ("valid-key+chunked", "/api-public/v1/incidents", good, True),
    ]
    if unauthenticated_only:
        kinds = kinds[:3]
    jobs = [kinds[i % len(kinds)] for i in range(clients)]
    results = await asyncio.gather(
        *(upload(port, path, h, size, chunked=c) for _, path, h, c in jobs)
    )
    return [(kind[0], *result) for kind, result in zip(jobs, results, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--unauthenticated-only", action="store_true")
    parser.add_argument("--max-growth-mb", type=float, default=None)
    args = parser.parse_args()
    size = args.mb * 1024 * 1024

    with tempfile.TemporaryDirectory() as tmpdir:
        env = {
            **os.environ,
            "OPENONCALL_DATABASE_URL": f"sqlite:///{tmpdir}/bench.db",
            "OPENONCALL_LOG_LEVEL": "WARNING",
            "OPENONCALL_RATE_LIMIT_SCALE": "0",
        }
        bootstrap = ["bootstrap", "--org", "Bench", "--admin", "ada", "--email", "ada@b.example"]
        boot_out = subprocess.run(
            [PYTHON, "-m", "openoncall", *bootstrap, "--password", "a long bench phrase", "--json"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        boot = json.loads(boot_out.stdout.strip().splitlines()[-1])
        port = free_port()
        log = Path(tmpdir) / "serve.log"
        with log.open("w") as out:
            serve = subprocess.Popen(
                [PYTHON, "-m", "openoncall", "serve", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("serve did not come up")
                time.sleep(0.1)
            time.sleep(2)
            idle = rss_kib(serve.pid)
            sampler = Sampler(serve.pid)
            sampler.start()
            started = time.monotonic()
            rows = asyncio.run(
                storm(
                    port, boot, args.clients, size, unauthenticated_only=args.unauthenticated_only
                )
            )
            elapsed = time.monotonic() - started
            time.sleep(0.5)
            sampler.running = False
            sampler.join()
            after = rss_kib(serve.pid)
            hwm = rss_kib(serve.pid, "VmHWM")
            alive = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
        finally:
            serve.terminate()
            serve.wait(30)

    measured = {"seconds": elapsed, "idle": idle, "peak": sampler.peak, "hwm": hwm}
    print(json.dumps(_report(args, rows, {**measured, "after": after, "alive": alive}), indent=2))
    if args.max_growth_mb is not None:
        growth = (sampler.peak - idle) / 1024
        _check(rows, growth, alive, args.max_growth_mb)
        print(f"OK: peak RSS {sampler.peak / 1024:.1f} MB, {growth:.1f} MB over idle")


def _report(args: argparse.Namespace, rows: list[Any], kib: dict[str, Any]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, Any]] = {}
    for kind, status, sent in rows:
        entry = by_kind.setdefault(kind, {"statuses": Counter(), "sent_mb": []})
        entry["statuses"][str(status)] += 1
        entry["sent_mb"].append(sent / 1024 / 1024)
    return {
        "clients": args.clients,
        "body_mb": args.mb,
        "seconds": round(kib["seconds"], 2),
        "idle_rss_mb": round(kib["idle"] / 1024, 1),
        "peak_rss_mb": round(kib["peak"] / 1024, 1),
        "vm_hwm_mb": round(kib["hwm"] / 1024, 1),
        "rss_after_mb": round(kib["after"] / 1024, 1),
        "healthz_after": kib["alive"],
        "targets": {
            kind: {
                "statuses": dict(e["statuses"]),
                "median_mb_sent_before_stopped": round(statistics.median(e["sent_mb"]), 2),
                "max_mb_sent_before_stopped": round(max(e["sent_mb"]), 2),
            }
            for kind, e in by_kind.items()
        },
    }


def _check(rows: list[Any], growth_mb: float, alive: int, limit_mb: float) -> None:
    """Exit 1 naming what failed: memory growth, a wrong answer, or a dead server."""
    wrong = [(kind, status) for kind, status, _ in rows if status not in (None, EXPECTED[kind])]
    problems = []
    if growth_mb > limit_mb:
        problems.append(f"peak RSS grew {growth_mb:.1f} MB over idle (limit {limit_mb})")
    if wrong:
        problems.append(f"unexpected answers: {Counter(wrong)}")
    if alive != 200:
        problems.append(f"/healthz answered {alive} after the run")
    if problems:
        sys.exit("FAIL: " + "; ".join(problems))


if __name__ == "__main__":
    main()
