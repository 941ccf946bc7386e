"""Per-organization, per-operation rate limits with the per-minute numbers of the vendor spec.

Counts are keyed by the organization's public API ID (unique across every database, unlike a
slug, which two installations sharing one Redis may both have), the HTTP method and the route
template. In Redis every key lives under `openoncall:ratelimit:` so one Redis can serve other
software, and `redis-cli --scan --pattern 'openoncall:ratelimit:*'` finds exactly ours:

    openoncall:ratelimit:api/<api id>/GET /api-public/v1/user/60/1/minute

When Redis cannot be reached the call is let through and a warning logged: an on-call API
that stops answering because its rate-limit store is down does more harm than a burst.

A full operation is answered from memory: once a hit is refused, the window's oldest call
(`reset_at`) must expire before any process can add one, so until then every process would
refuse too, and this one does so without asking the store. Clients that keep calling past
their limit (the only way to call one operation of one organization often) then cost a
dictionary lookup, not a Redis round trip each.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from openoncall.clock import Clock, SystemClock
from openoncall.errors import RateLimited
from openoncall.observe import metrics

log = logging.getLogger(__name__)

DEFAULT_PER_MINUTE = 60
REDIS_KEY_PREFIX = "openoncall:ratelimit"
NAMESPACE = "api"
# At most one "Redis is down" warning per this many seconds, not one per request.
_WARN_EVERY_SECONDS = 60.0
# Full operations remembered at once (each entry is dropped when its window frees a call).
_MAX_FULL_KEPT = 10_000

# NOTES (a)/(d): the 2020-06 spec's limits; operations it does not mention get the default,
# except maintenance mode, for which the spec states none.
PER_MINUTE: dict[tuple[str, str], int | None] = {
    ("POST", "/api-public/v1/user/batch"): 15,
    ("GET", "/api-public/v1/profile/{username}/policies"): 20,
    ("GET", "/api-reporting/v2/incidents"): 1,
    ("GET", "/api-public/v1/maintenancemode"): None,
    ("POST", "/api-public/v1/maintenancemode/start"): None,
    ("PUT", "/api-public/v1/maintenancemode/{maintenancemodeid}/end"): None,
}


def per_minute_limit(method: str, path: str) -> int | None:
    return PER_MINUTE.get((method.upper(), path), DEFAULT_PER_MINUTE)


def make_storage(redis_url: str | None) -> Storage:
    """In-memory counts for one process; Redis (namespaced) when several processes share."""
    if not redis_url:
        return MemoryStorage()
    storage = storage_from_string(redis_url, key_prefix=REDIS_KEY_PREFIX)
    assert isinstance(storage, Storage)
    return storage


@dataclass
class RateLimiter:
    """Counts calls per (organization, operation); shared through Redis when configured.

    `scale` multiplies every limit (0 turns limiting off). The window is real time (the
    `limits` library reads the system clock), so Retry-After is computed from the system clock
    too, not from the container's (possibly frozen) clock.
    """

    storage: Storage
    scale: float = 1.0
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, redis_url: str | None, scale: float) -> RateLimiter:
        return cls(storage=make_storage(redis_url), scale=scale)

    def __post_init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._items: dict[int, RateLimitItem] = {}
        self._warn_lock = threading.Lock()
        self._last_warning = -math.inf
        # (api id, "METHOD path") → the instant (epoch seconds) its window frees a call.
        self._full_until: dict[tuple[str, str], float] = {}

    @property
    def is_shared(self) -> bool:
        """Counts live in another process (Redis): a hit is network I/O."""
        return self.scale != 0 and not isinstance(self.storage, MemoryStorage)

    def _item(self, per_minute: int) -> RateLimitItem:
        amount = max(1, round(per_minute * self.scale))
        item = self._items.get(amount)
        if item is None:
            item = self._items[amount] = RateLimitItemPerMinute(amount, namespace=NAMESPACE)
        return item

    def is_counted(self, method: str, path: str) -> bool:
        """Whether calls of `method path` are counted at all."""
        return self.scale != 0 and per_minute_limit(method, path) is not None

    def refuse_if_known_full(self, api_id: str, method: str, path: str) -> None:
        """Raise RateLimited, from memory alone, while the operation is known to be full."""
        if not self._full_until:
            return
        key = (api_id, f"{method.upper()} {path}")
        until = self._full_until.get(key)
        if until is None:
            return
        now = self.clock.now().timestamp()
        if now >= until:
            self._full_until.pop(key, None)
            return
        self._refuse(method, path, until - now)

    def hit(self, api_id: str, method: str, path: str) -> None:
        """Count one call of `method path` by the organization `api_id`; raise when full."""
        if self.scale == 0:
            return
        per_minute = per_minute_limit(method, path)
        if per_minute is None:
            return
        self.refuse_if_known_full(api_id, method, path)
        item = self._item(per_minute)
        key = (api_id, f"{method.upper()} {path}")
        try:
            if self._limiter.hit(item, *key):
                return
            reset_at, _remaining = self._limiter.get_window_stats(item, *key)
        except Exception:  # the store's driver errors; limiting is best effort then
            self._warn_unavailable()
            return
        now = self.clock.now().timestamp()
        self._remember_full(key, reset_at, now)
        self._refuse(method, path, reset_at - now)

    def _remember_full(self, key: tuple[str, str], until: float, now: float) -> None:
        if len(self._full_until) >= _MAX_FULL_KEPT:  # keep only those still full
            self._full_until = {k: t for k, t in self._full_until.items() if t > now}
        self._full_until[key] = until

    def _refuse(self, method: str, path: str, wait_seconds: float) -> None:
        metrics.RATE_LIMITED.labels(method.upper(), path).inc()
        raise RateLimited(retry_after_seconds=max(1, math.ceil(wait_seconds)))

    def _warn_unavailable(self) -> None:
        now = self.clock.now().timestamp()
        with self._warn_lock:
            if now - self._last_warning < _WARN_EVERY_SECONDS:
                return
            self._last_warning = now
        log.warning("rate-limit store unreachable; letting calls through", exc_info=True)
