"""/metrics: Prometheus counts and latencies by operation (route template) and status."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Org

TIMEOUTS = "/api-public/v1/policies/types/timeouts"


def _samples(text: str, name: str) -> dict[tuple[str, str, str], float]:
    """{(method, operation, status): value} for one metric of the exposition text."""
    pattern = re.compile(
        rf'^{name}\{{method="([^"]+)",operation="([^"]+)",status="([^"]+)"\}} (\S+)$', re.M
    )
    return {(m, o, s): float(v) for m, o, s, v in pattern.findall(text)}


def test_metrics_count_requests_by_operation_and_status(client: TestClient, org: Org) -> None:
    for _ in range(3):
        assert client.get(TIMEOUTS, headers=org.headers).status_code == 200
    assert client.get(TIMEOUTS).status_code == 401
    assert client.get("/no/such/path/123").status_code == 404
    assert client.get("/no/such/path/456").status_code == 404

    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    counts = _samples(r.text, "openoncall_http_requests_total")
    assert counts == {
        ("GET", TIMEOUTS, "200"): 3.0,
        ("GET", TIMEOUTS, "401"): 1.0,
        # Unknown paths share one label: raw paths never become series.
        ("GET", "unmatched", "404"): 2.0,
    }
    latency = _samples(r.text, "openoncall_http_request_duration_seconds_count")
    assert latency == counts
    sums = _samples(r.text, "openoncall_http_request_duration_seconds_sum")
    assert all(v > 0 for v in sums.values())
    assert set(sums) == set(counts)


def test_metrics_label_path_parameters_by_template(client: TestClient, org: Org) -> None:
    # The docs' asset route has a path parameter: two names, one operation label.
    assert client.get("/api-docs/assets/swagger-ui.css").status_code == 200
    assert client.get("/api-docs/assets/nope.js").status_code == 404
    assert client.get("/api-docs/openapi.json").status_code == 200
    counts = _samples(client.get("/metrics").text, "openoncall_http_requests_total")
    assert counts == {
        ("GET", "/api-docs/assets/{name}", "200"): 1.0,
        ("GET", "/api-docs/assets/{name}", "404"): 1.0,
        ("GET", "/api-docs/openapi.json", "200"): 1.0,
    }
