"""What the HTTP channels share: one pooled httpx client each, and how a response or a
transport error becomes a DeliveryResult."""

from __future__ import annotations

from typing import Any

import httpx

from openoncall.notify.channel import DeliveryResult
from openoncall.notify.egress import (
    EgressPolicy,
    EgressRefused,
    GuardedBackend,
    GuardedTransport,
    shared_ssl_context,
)

# Statuses that say "not now" rather than "never": retry these with backoff.
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
# A short answer is read (and dropped) so the connection can be reused; a longer one is cut.
DRAIN_BYTES = 64 * 1024


def new_client(
    timeout_seconds: float, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """A client whose connection pool is reused by every send of its channel."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        verify=shared_ssl_context(trust_env=True),
        headers={"User-Agent": "OpenOnCall"},
        follow_redirects=False,
        transport=transport,
    )


def guarded_client(timeout_seconds: float, backend: GuardedBackend | None) -> httpx.AsyncClient:
    """A client for org-chosen URLs: connects only where the egress policy allows."""
    return new_client(timeout_seconds, GuardedTransport(backend or GuardedBackend(EgressPolicy())))


def _retryable(status: int) -> bool:
    return status >= 500 or status in RETRYABLE_4XX


def result_of(response: httpx.Response, ok_detail: str = "") -> DeliveryResult:
    if response.is_success:
        return DeliveryResult(True, ok_detail or f"HTTP {response.status_code}")
    snippet = response.text[:200].strip()
    detail = f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")
    return DeliveryResult(False, detail, retryable=_retryable(response.status_code))


async def post_for_status(client: httpx.AsyncClient, url: str, **kwargs: Any) -> DeliveryResult:
    """POST to an org-chosen URL and keep only the status: the response body is never kept
    (it may be large) nor shown (it may be an internal service's answer)."""
    try:
        async with client.stream("POST", url, **kwargs) as response:
            status = response.status_code
            drained = 0
            async for chunk in response.aiter_raw():
                drained += len(chunk)
                if drained > DRAIN_BYTES:
                    break
    except EgressRefused as exc:
        return DeliveryResult(False, f"refused: {exc}", retryable=False)
    except httpx.HTTPError as exc:
        return transport_failure(exc)
    if 200 <= status < 300:
        return DeliveryResult(True, f"HTTP {status}")
    return DeliveryResult(False, f"HTTP {status}", retryable=_retryable(status))


def transport_failure(exc: httpx.HTTPError) -> DeliveryResult:
    return DeliveryResult(False, f"{type(exc).__name__}: {exc}", retryable=True)
