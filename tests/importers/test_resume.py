"""An import killed with SIGKILL part-way resumes: the next run makes what is missing, and
nothing twice. The real `openoncall import splunk-oncall` runs in a subprocess against the
test database, reading a live server; it is killed once some objects are remembered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.importers import splunk
from openoncall.importers.models import ImportedObject
from openoncall.importers.run import import_splunk
from tests.api.conftest import LiveServer
from tests.importers import source_org

EXE = str(Path(sys.executable).with_name("openoncall"))
EXTRA_USERS = 60  # enough objects that the kill lands mid-run


def _remembered(container: Container, org_id: int) -> int:
    with container.sessions.transaction(write=False) as session:
        count: int = (
            session.scalar(
                select(func.count())
                .select_from(ImportedObject)
                .where(ImportedObject.org_id == org_id)
            )
            or 0
        )
        return count


def test_a_killed_import_resumes_without_duplicates(
    client: TestClient,
    container: Container,
    clock: FrozenClock,
    live_server: LiveServer,
    db_url: str,
) -> None:
    source, target = source_org.source_and_target(client, container, clock)

    extra = [
        {
            "firstName": f"U{i}",
            "lastName": "Extra",
            "username": f"extra{i}",
            "email": f"e{i}@x.example",
        }
        for i in range(EXTRA_USERS)
    ]
    for i in range(0, EXTRA_USERS, 50):  # a batch holds at most 50
        r = client.post("/api-public/v1/user/batch", json={"users": extra[i : i + 50]})
        assert r.status_code == 200, r.text

    env = {
        **os.environ,
        "OPENONCALL_DATABASE_URL": db_url,
        "SPLUNK_ONCALL_API_KEY": source.boot.api_key,
    }
    proc = subprocess.Popen(
        [EXE, "import", "splunk-oncall", "--url", live_server.base_url, "--api-id",
         source.boot.api_id, "--org", target.boot.org_slug, "--calls-per-minute", "100000"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while _remembered(container, target.org_id) < 5:
        assert proc.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import remembered nothing within a minute"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    partial = _remembered(container, target.org_id)
    total = 7 + EXTRA_USERS + 2 + 4 + 1 + 2 + 3 + 1  # users … overrides (default key exists)
    assert 5 <= partial < total

    reader = splunk.client(live_server.base_url, source.boot.api_id, source.boot.api_key)
    try:
        resumed = import_splunk(
            container, reader, org=target.boot.org_slug,
            source_name=f"splunk-oncall:{live_server.base_url.rstrip('/')}:{source.boot.api_id}",
            dry_run=False, check=True,
        )  # fmt: skip
    finally:
        reader.close()
    ops = Counter(a.op for a in resumed.report.actions)
    assert ops["create"] + ops["unchanged"] == total + 1, resumed.report.actions  # + default key
    assert ops["unchanged"] >= partial
    assert resumed.verification is not None
    assert resumed.verification.mismatches == []
    with container.sessions.transaction(write=False) as session:
        rows = session.scalars(
            select(ImportedObject).where(ImportedObject.org_id == target.org_id)
        ).all()
        assert len(rows) == total
        assert len({(r.kind, r.source_id) for r in rows}) == total
        assert len({(r.kind, r.local_id) for r in rows}) == total

    def listed(path: str) -> list[object]:
        body = client.get(path, headers=target.headers).json()
        return body if isinstance(body, list) else next(iter(body.values()))

    counts = {
        "users": len(listed("/api-public/v1/user")[0]),  # type: ignore[arg-type]
        "teams": len(listed("/api-public/v1/team")),
        "policies": len(listed("/api-public/v1/policies")),
    }
    assert counts == {"users": 7 + EXTRA_USERS + 1, "teams": 2, "policies": 2}  # + boss
