# ruff: noqa: S608  (the SQL is built only from integers, datetimes and this file's constants)
"""Incident history for the benchmarks, generated inside the database (INSERT … SELECT over a
series), so a million alerts take seconds rather than a million round trips.

    add_incidents(db_url, org_id, total=10_000, first_number=1, now=…)
    add_alerts(db_url, org_id, total=1_000_000, first=0, now=…)

Incidents: all but the last CURRENT are resolved 2 to 400 days ago; of the last CURRENT, half
are open (UNACKED/ACKED) and half resolved within the last 24 hours, so GET /v1/incidents
returns the same CURRENT incidents however much history lies behind them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, text

from openoncall.db.engine import make_engine

CURRENT = 50


def _series(dialect: str, count: int) -> str:
    """A row source `s(n)` with n = 0 … count-1."""
    if dialect == "postgresql":
        return f"(SELECT generate_series(0, {count - 1}) AS n) AS s"
    return (
        f"(WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < {count - 1})"
        " SELECT n FROM r) AS s"
    )


def _at(dialect: str, base: datetime, seconds_expr: str) -> str:
    """`base` minus `seconds_expr` seconds, as each database stores a UtcDateTime."""
    if dialect == "postgresql":
        return f"(TIMESTAMPTZ '{base.isoformat()}' - ({seconds_expr}) * INTERVAL '1 second')"
    stamp = base.replace(tzinfo=None).isoformat(sep=" ")
    return f"strftime('%Y-%m-%d %H:%M:%f000', '{stamp}', '-' || ({seconds_expr}) || ' seconds')"


def add_incidents(
    db_url: str, org_id: int, *, total: int, first_number: int, now: datetime
) -> None:
    engine = make_engine(db_url)
    d = engine.dialect.name
    old = total - CURRENT if first_number == 1 else total
    try:
        with engine.begin() as conn:
            # Long resolved history: 2 to 400 days ago.
            batches = [(old, first_number, "'RESOLVED'", "172800 + (n * 3457) % 34387200")]
            if first_number == 1:  # the current ones come last, as the newest numbers
                half = CURRENT // 2
                batches += [
                    (half, first_number + old, OPEN_PHASE, "60 + n * 61"),
                    (CURRENT - half, first_number + old + half, "'RESOLVED'", "600 + n * 1500"),
                ]
            for count, first, phase, age in batches:
                if count > 0:
                    _insert_incidents(
                        conn,
                        d,
                        org_id=org_id,
                        count=count,
                        first=first,
                        now=now,
                        phase=phase,
                        age=age,
                    )
            last = first_number + total - 1
            conn.execute(
                text(
                    "INSERT INTO incident_counter (org_id, last_number) VALUES (:o, :n) "
                    "ON CONFLICT (org_id) DO UPDATE SET last_number = :n"
                ),
                {"o": org_id, "n": last},
            )
    finally:
        engine.dispose()


OPEN_PHASE = "CASE WHEN n % 2 = 0 THEN 'UNACKED' ELSE 'ACKED' END"


def _insert_incidents(
    conn: Connection,
    d: str,
    *,
    org_id: int,
    count: int,
    first: int,
    now: datetime,
    phase: str,
    age: str,
) -> None:
    started = _at(d, now, f"({age}) + 3600")
    resolved = f"CASE WHEN {phase} = 'RESOLVED' THEN {_at(d, now, age)} ELSE NULL END"
    open_entity = f"CASE WHEN {phase} = 'RESOLVED' THEN NULL ELSE 'host-' || (n + {first}) END"
    conn.execute(
        text(
            "INSERT INTO incident (org_id, number, entity_id, open_entity_id, entity_display_name,"
            " entity_state, entity_type, state_message, phase, routing_key, alert_count,"
            " started_at, last_alert_at, host, service, monitoring_tool, monitor_type,"
            " is_muted, is_multi_responder, resolved_by, resolved_at, updated_at) "
            f"SELECT {org_id}, n + {first}, 'host-' || (n + {first}), {open_entity},"
            " 'Disk full on host', 'CRITICAL', 'SERVICE', 'disk usage 97%', "
            f"{phase}, 'default', 10, {started}, {started}, 'db1', 'disk', 'nagios', 'API',"
            f" false, false, CASE WHEN {phase} = 'RESOLVED' THEN 'admin' ELSE NULL END,"
            f" {resolved}, {started} FROM {_series(d, count)}"
        )
    )


@contextmanager
def _transaction(db_url: str) -> Iterator[tuple[Connection, str]]:
    """A connection in one transaction on a throw-away engine, and the dialect's name."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            yield conn, engine.dialect.name
    finally:
        engine.dispose()


def analyze(db_url: str) -> None:
    """PostgreSQL's planner statistics after a bulk load, as autovacuum keeps them in a live
    database (SQLite gathers none unless asked, in production too, so it is left alone)."""
    engine = make_engine(db_url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("COMMIT"))
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def add_alerts(db_url: str, org_id: int, *, total: int, now: datetime) -> None:
    """`total` alerts spread over the incidents numbered 1 … (their incident_id by number)."""
    with _transaction(db_url) as (conn, d):
        uuid = "lpad(n::text, 36, '0')" if d == "postgresql" else "printf('%036d', n)"
        at = _at(d, now, "172800 + (n * 37) % 34387200")
        incidents = conn.execute(
            text("SELECT count(*), min(id) FROM incident WHERE org_id = :o"), {"o": org_id}
        ).one()
        count, first_id = int(incidents[0]), int(incidents[1])
        conn.execute(
            text(
                "INSERT INTO alert (org_id, uuid, source, routing_key, routed_key,"
                " message_type, entity_id, entity_display_name, state_message,"
                " monitoring_tool, timestamp, state_start_time, fields, raw, received_at,"
                " incident_id) "
                f"SELECT {org_id}, {uuid}, 'REST', 'default', 'default', 'CRITICAL',"
                f" 'host-' || (n % {count}), 'Disk full', 'disk usage 97%', 'nagios',"
                f" {at}, {at}, '{{}}', '{{\"message_type\":\"CRITICAL\"}}', {at},"
                f" {first_id} + (n % {count}) FROM {_series(d, total)}"
            )
        )


def add_users(db_url: str, org_id: int, *, total: int, now: datetime) -> None:
    """`total` more users (`bulk00000` …), for the memory measurement of a 10,000-user list."""
    with _transaction(db_url) as (conn, d):
        name = "'bulk' || lpad(n::text, 5, '0')" if d == "postgresql" else "printf('bulk%05d', n)"
        conn.execute(
            text(
                'INSERT INTO "user" (org_id, username, first_name, last_name, email, role,'
                " is_verified, created_at) "
                f"SELECT {org_id}, {name}, 'Bulk', 'User', {name} || '@bench.example',"
                f" 'user', false, {_at(d, now, 'n')} FROM {_series(d, total)}"
            )
        )
