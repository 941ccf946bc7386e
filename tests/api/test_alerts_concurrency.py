"""Concurrent alerts against a live uvicorn server (real sockets, real threads), on SQLite and
PostgreSQL: one entity opens exactly one incident, numbers stay gap-free, nothing is lost.
Also two independent writers on one database, as two `serve` processes would be."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from openoncall.alerts.models import Alert, AlertSource
from openoncall.alerts.routed import Submission
from openoncall.alerts.writer import GroupCommitWriter
from openoncall.container import Container
from openoncall.ids import hash_secret
from openoncall.incidents.models import Incident
from tests.api.conftest import LiveServer
from tests.conftest import Org


def _post_many(base_url: str, path: str, bodies: list[dict[str, str]], threads: int) -> list[int]:
    def send(chunk: list[dict[str, str]]) -> list[int]:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return [client.post(path, json=body).status_code for body in chunk]

    chunks = [bodies[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [code for codes in pool.map(send, chunks) for code in codes]


def test_concurrent_criticals_for_one_entity_open_exactly_one_incident(
    live_server: LiveServer, org: Org, container: Container
) -> None:
    path = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}/db"
    bodies = [{"message_type": "CRITICAL", "entity_id": "disk/db01"} for _ in range(60)]
    codes = _post_many(live_server.base_url, path, bodies, threads=12)
    assert codes == [200] * 60
    with container.sessions.transaction(write=False) as session:
        incidents = session.execute(select(Incident.number, Incident.alert_count)).all()
        alerts = session.scalar(select(func.count()).select_from(Alert))
    assert [tuple(i) for i in incidents] == [(1, 60)]
    assert alerts == 60


def test_incident_numbers_are_gap_free_under_concurrency(
    live_server: LiveServer, org: Org, container: Container
) -> None:
    path = f"/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}"
    # 40 entities, each sent three times, interleaved across threads.
    bodies = [{"message_type": "CRITICAL", "entity_id": f"svc/{n % 40}"} for n in range(120)]
    codes = _post_many(live_server.base_url, path, bodies, threads=10)
    assert codes == [200] * 120
    with container.sessions.transaction(write=False) as session:
        rows = session.execute(
            select(Incident.number, Incident.entity_id, Incident.alert_count).order_by(
                Incident.number
            )
        ).all()
    assert [r[0] for r in rows] == list(range(1, 41))
    assert sorted(r[1] for r in rows) == sorted(f"svc/{n}" for n in range(40))
    assert {r[2] for r in rows} == {3}


def test_two_writers_on_one_database_open_one_incident_per_entity(
    org: Org, container: Container
) -> None:
    """Two writers stand for two `serve` processes: their batches race on the same rows."""
    writers = [GroupCommitWriter(container.sessions, container.clock) for _ in range(2)]
    key_hash = hash_secret(org.boot.rest_endpoint_key)

    def submit(n: int) -> None:
        writer = writers[n % 2]
        entity = f"e/{n % 5}"
        future = writer.submit(
            Submission(
                key_hash=key_hash,
                source=AlertSource.REST,
                routing_key=None,
                fields={"message_type": "CRITICAL", "entity_id": entity},
                raw="{}",
                received_at=container.clock.now(),
            )
        )
        assert future.result(30) is not None

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(submit, range(100)))
    finally:
        for writer in writers:
            writer.stop()
    with container.sessions.transaction(write=False) as session:
        rows = session.execute(
            select(Incident.number, Incident.entity_id, Incident.alert_count).order_by(
                Incident.number
            )
        ).all()
        alerts = session.scalar(select(func.count()).select_from(Alert))
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert sorted(r[1] for r in rows) == [f"e/{n}" for n in range(5)]
    assert [r[2] for r in rows] == [20] * 5
    assert alerts == 100
