"""Reading a source's API politely: its per-minute limits, 429 + Retry-After, and retries.

Each endpoint (by path template) has a budget of `limit` calls a minute, held as a bucket that
starts full: a small organization is read at once, a large one at the source's pace. A 429
waits as long as `Retry-After` says (seconds or an HTTP date), then tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from openoncall.clock import Clock, SystemClock

MAX_TRIES = 6


class SourceError(Exception):
    """The source refused or failed a read (after retries); the message says which."""


@dataclass
class _Bucket:
    limit: float
    tokens: float
    at: float


@dataclass
class SourceClient:
    base_url: str
    headers: dict[str, str]
    # Calls a minute per path template; `default_limit` for the rest.
    limits: dict[str, int] = field(default_factory=dict)
    default_limit: int = 60
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    clock: Clock = field(default_factory=SystemClock)
    calls: int = 0
    waited_seconds: float = 0.0
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _client: httpx.Client | None = None

    def get(self, template: str, query: dict[str, str] | None = None, **params: str) -> Any:
        """GET `template` (e.g. "/api-public/v1/user/{user}") with its fields filled in."""
        path = template.format(**{k: quote(v, safe="") for k, v in params.items()})
        for attempt in range(MAX_TRIES):
            self._take(template)
            response = self._http().get(path, params=query)
            self.calls += 1
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == MAX_TRIES - 1:
                    break
                self._wait(_retry_after(response, attempt, self.clock.now()))
                continue
            if response.status_code != 200:
                raise SourceError(f"GET {path}: {response.status_code} {response.text[:200]}")
            return response.json()
        raise SourceError(f"GET {path}: still {response.status_code} after {MAX_TRIES} tries")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base_url.rstrip("/"), headers=self.headers, timeout=self.timeout
            )
        return self._client

    def _take(self, template: str) -> None:
        limit = float(self.limits.get(template, self.default_limit))
        now = self.monotonic()
        bucket = self._buckets.setdefault(template, _Bucket(limit, limit, now))
        bucket.tokens = min(bucket.limit, bucket.tokens + (now - bucket.at) * limit / 60)
        bucket.at = now
        if bucket.tokens < 1:
            self._wait((1 - bucket.tokens) * 60 / limit)
            bucket.tokens, bucket.at = 1.0, self.monotonic()
        bucket.tokens -= 1

    def _wait(self, seconds: float) -> None:
        self.waited_seconds += seconds
        self.sleep(seconds)


def _retry_after(response: httpx.Response, attempt: int, now: datetime) -> float:
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            pass
        else:
            return max(0.0, (when - now).total_seconds())
    return float(2**attempt)
