"""Per-organization, per-operation rate limits with the per-minute numbers of the vendor spec."""

from __future__ import annotations

import math
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from openoncall.clock import SystemClock
from openoncall.errors import RateLimited

DEFAULT_PER_MINUTE = 60

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


@dataclass
class RateLimiter:
    """Counts calls per (organization, operation); shared through Redis when configured."""

    storage: Storage
    scale: float = 1.0

    @classmethod
    def from_settings(cls, redis_url: str | None, scale: float) -> RateLimiter:
        storage = storage_from_string(redis_url) if redis_url else MemoryStorage()
        assert isinstance(storage, Storage)
        return cls(storage=storage, scale=scale)

    def __post_init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._items: dict[int, RateLimitItem] = {}

    def _item(self, per_minute: int) -> RateLimitItem:
        amount = max(1, round(per_minute * self.scale))
        item = self._items.get(amount)
        if item is None:
            item = self._items[amount] = RateLimitItemPerMinute(amount)
        return item

    def hit(self, org_slug: str, method: str, path: str) -> None:
        """Count one call; raise RateLimited when the window is full."""
        per_minute = per_minute_limit(method, path)
        if per_minute is None or self.scale == 0:
            return
        item = self._item(per_minute)
        key = (org_slug, method.upper(), path)
        if self._limiter.hit(item, *key):
            return
        reset_at, _remaining = self._limiter.get_window_stats(item, *key)
        wait = math.ceil(reset_at - SystemClock().now().timestamp())
        raise RateLimited(retry_after_seconds=max(1, wait))
