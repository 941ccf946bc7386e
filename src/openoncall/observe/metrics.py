"""Process-wide counters of what the pager does (alerts, incidents, pages, deliveries).

One registry per process, apart from prometheus_client's global one and from each app's
request metrics (api/metrics.py): `/metrics` (and `openoncall engine --metrics-port`) expose
this registry next to their own. These count what this process did; values shared by every
process (queue depth, engine heartbeats) are read from the database at scrape time instead
(`DatabaseCollector`).
"""

from __future__ import annotations

from prometheus_client import (
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
REGISTRY.register(GC_COLLECTOR)

# Sending an email or an SMS takes tens of milliseconds to seconds.
_SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

ALERTS_ACCEPTED = Counter(
    "openoncall_alerts_accepted",
    "Alerts stored, by endpoint (rest, email) and message type.",
    ("endpoint", "message_type"),
    registry=REGISTRY,
)
INCIDENT_TRANSITIONS = Counter(
    "openoncall_incident_transitions",
    "Incident phase changes: opened, acknowledged, resolved, rerouted.",
    ("transition",),
    registry=REGISTRY,
)
PAGES_PLANNED = Counter(
    "openoncall_deliveries_planned",
    "Deliveries queued (pages, webhooks, stakeholder emails), by channel and purpose.",
    ("channel", "purpose"),
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "openoncall_deliveries",
    "Delivery attempts by channel and outcome (sent, retry, failed).",
    ("channel", "outcome"),
    registry=REGISTRY,
)
DELIVERIES_RESENT = Counter(
    "openoncall_deliveries_resent",
    "Attempts made after an engine stopped before recording an earlier attempt's outcome "
    "(the receiver may see the delivery twice, under one idempotency key).",
    ("channel",),
    registry=REGISTRY,
)
DELIVERY_SECONDS = Histogram(
    "openoncall_delivery_duration_seconds",
    "How long a channel took to send one delivery attempt.",
    ("channel",),
    buckets=_SEND_BUCKETS,
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "openoncall_rate_limit_rejections",
    "API calls refused with 429, by method and operation (route template).",
    ("method", "operation"),
    registry=REGISTRY,
)
ENGINE_CYCLES = Counter(
    "openoncall_engine_cycles",
    "Engine loop iterations in this process.",
    registry=REGISTRY,
)
ENGINE_CLAIM_LAG = Histogram(
    "openoncall_engine_claim_lag_seconds",
    "How late a job was when this process's engine claimed it (now minus due time).",
    buckets=_LAG_BUCKETS,
    registry=REGISTRY,
)
DEADMAN_CALLS = Counter(
    "openoncall_deadman_calls",
    "Calls of the dead-man URL by outcome (ok, error).",
    ("outcome",),
    registry=REGISTRY,
)


def exposition() -> bytes:
    data: bytes = generate_latest(REGISTRY)
    return data
