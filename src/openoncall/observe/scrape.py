"""Gauges read from the database at scrape time: the same answer from every process.

Queue depth, the age of the oldest due job and each engine's heartbeat live in shared rows,
so whichever `serve` or `engine` process is scraped reports them truthfully; a per-process
gauge would only know its own share. `serve_metrics` gives `openoncall engine` a /metrics of
its own (its delivery counters live in that process).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, or_, select

from openoncall.container import Container
from openoncall.engine import heartbeat
from openoncall.engine.watchdog import oldest_due_age
from openoncall.jobs.models import Job
from openoncall.observe import metrics

log = logging.getLogger(__name__)


class DatabaseCollector:
    """A prometheus_client custom collector over one container's database."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def describe(self) -> Iterable[Metric]:
        return ()  # no describe-time query: registering must not touch the database

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("openoncall_database_up", "1 when the scrape could read the DB.")
        try:
            families = self._read()
        except Exception:
            log.warning("reading metrics from the database failed", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> list[Metric]:
        sessions, now = self.container.sessions, self.container.clock.now()
        with sessions.transaction(write=False) as session:
            pending = session.execute(
                select(Job.kind, func.count()).where(Job.done_at.is_(None)).group_by(Job.kind)
            ).all()
            due = session.scalar(
                select(func.count()).where(
                    Job.done_at.is_(None),
                    Job.due_at <= now,
                    or_(Job.lease_until.is_(None), Job.lease_until <= now),
                )
            )
            beats = heartbeat.all_beats(session)
        depth = GaugeMetricFamily(
            "openoncall_jobs_pending",
            "Jobs not done yet (due or scheduled), by kind.",
            labels=["kind"],
        )
        for kind, count in pending:
            depth.add_metric([kind], count)
        due_now = GaugeMetricFamily(
            "openoncall_jobs_due", "Jobs due now that no engine holds: the backlog."
        )
        due_now.add_metric([], due or 0)
        oldest = GaugeMetricFamily(
            "openoncall_job_oldest_due_age_seconds",
            "How long the most overdue unclaimed job has waited (0 when none).",
        )
        oldest.add_metric([], oldest_due_age(sessions, now))
        age = GaugeMetricFamily(
            "openoncall_engine_heartbeat_age_seconds",
            "Seconds since each engine's last heartbeat.",
            labels=["engine"],
        )
        lag = GaugeMetricFamily(
            "openoncall_engine_lag_seconds",
            "How late the most overdue job was at each engine's last heartbeat.",
            labels=["engine"],
        )
        newest = GaugeMetricFamily(
            "openoncall_engine_last_heartbeat_age_seconds",
            "Seconds since any engine last beat (large: no engine is running).",
        )
        for row in beats:
            age.add_metric([row.id], (now - row.beat_at).total_seconds())
            lag.add_metric([row.id], row.lag_seconds)
        if beats:
            newest.add_metric([], min((now - b.beat_at).total_seconds() for b in beats))
        return [depth, due_now, oldest, age, lag, newest]


class _Chain:
    """Several registries exposed as one collector."""

    def __init__(self, *registries: Any) -> None:
        self._registries = registries

    def describe(self) -> Iterable[Metric]:
        return ()

    def collect(self) -> Iterator[Metric]:
        for registry in self._registries:
            yield from registry.collect()


def scrape_registry(container: Container, *others: CollectorRegistry) -> CollectorRegistry:
    """This process's counters, `others` and the database gauges, in one registry."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Chain(*others, metrics.REGISTRY))
    registry.register(DatabaseCollector(container))
    return registry


def serve_metrics(container: Container, *, host: str, port: int) -> None:
    """Serve /metrics from a background thread (the engine has no HTTP app)."""
    start_http_server(port, addr=host, registry=scrape_registry(container))
