"""What the HTTP channels share: one pooled httpx client each, and how a response or a
transport error becomes a DeliveryResult."""

from __future__ import annotations

import httpx

from openoncall.notify.channel import DeliveryResult

# Statuses that say "not now" rather than "never": retry these with backoff.
RETRYABLE_4XX = frozenset({408, 409, 425, 429})


def new_client(timeout_seconds: float) -> httpx.AsyncClient:
    """A client whose connection pool is reused by every send of its channel."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        headers={"User-Agent": "OpenOnCall"},
        follow_redirects=False,
    )


def result_of(response: httpx.Response, ok_detail: str = "") -> DeliveryResult:
    if response.is_success:
        return DeliveryResult(True, ok_detail or f"HTTP {response.status_code}")
    snippet = response.text[:200].strip()
    detail = f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")
    retryable = response.status_code >= 500 or response.status_code in RETRYABLE_4XX
    return DeliveryResult(False, detail, retryable=retryable)


def transport_failure(exc: httpx.HTTPError) -> DeliveryResult:
    return DeliveryResult(False, f"{type(exc).__name__}: {exc}", retryable=True)
