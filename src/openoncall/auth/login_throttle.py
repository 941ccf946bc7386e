"""Password sign-in throttling, per client address and per account, with escalating waits.

Independent of the API limits (`OPENONCALL_RATE_LIMIT_SCALE`): an instance that turns API
limiting off keeps its sign-in form protected. `OPENONCALL_LOGIN_THROTTLE=false` is the only
switch. Only failed attempts count, and every check runs before any password hash is
computed, so a refused attempt costs no argon2 work. Counts live where the API limits live
(this process, or Redis when `OPENONCALL_REDIS_URL` is set), under the `login` namespace.

- **Per address** (spraying many usernames from one host): 10 failures a minute, 50 an hour.
- **Per account** (guessing one user's password from many hosts): 5 failures a minute, 10 in
  10 minutes, 20 an hour, 50 a day; each tier filled means a longer wait, so the waits
  escalate from a minute to a day while the failures go on.
- **A fresh address gets through a full account limit**: an address with fewer than 3
  failures on that account in the last hour may still try, so an attacker who keeps the
  account's counters full does not lock its owner out; the owner signs in from their own
  address as usual. Those fresh-address failures are capped too (100 an hour per account):
  only an attacker with more than 100 addresses an hour can hold the account shut, and each
  of those addresses gets 3 guesses at most.

Behind a reverse proxy the client address must be the real one: `openoncall serve` (uvicorn)
trusts `X-Forwarded-For` from the addresses in `FORWARDED_ALLOW_IPS` (127.0.0.1 by default).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from limits import (
    RateLimitItem,
    RateLimitItemPerDay,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
)
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter

from openoncall.clock import Clock, SystemClock
from openoncall.errors import RateLimited

log = logging.getLogger(__name__)

NAMESPACE = "login"
_ADDRESS: tuple[RateLimitItem, ...] = (
    RateLimitItemPerMinute(10, namespace=f"{NAMESPACE}-address"),
    RateLimitItemPerHour(50, namespace=f"{NAMESPACE}-address"),
)
_ACCOUNT: tuple[RateLimitItem, ...] = (
    RateLimitItemPerMinute(5, namespace=f"{NAMESPACE}-account"),
    RateLimitItemPerMinute(10, 10, namespace=f"{NAMESPACE}-account"),
    RateLimitItemPerHour(20, namespace=f"{NAMESPACE}-account"),
    RateLimitItemPerDay(50, namespace=f"{NAMESPACE}-account"),
)
# An address with fewer failures than this on an account, in an hour, is "fresh" for it.
_FRESH = RateLimitItemPerHour(3, namespace=f"{NAMESPACE}-fresh")
_CEILING = RateLimitItemPerHour(100, namespace=f"{NAMESPACE}-ceiling")


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who tries: the client address and the account (organization and username)."""

    address: str
    account: str
    # The account's own limits were full: this attempt came through as a fresh address.
    as_fresh_address: bool = False


class LoginThrottle:
    """`check` before verifying a password (raises RateLimited), `failed` after a miss."""

    def __init__(self, storage: Storage, *, enabled: bool, clock: Clock | None = None) -> None:
        self.enabled = enabled
        self._limiter = MovingWindowRateLimiter(storage)
        # The window is real time (the `limits` library reads the system clock).
        self._clock = clock or SystemClock()

    def check(self, address: str, account: str) -> Attempt:
        attempt = Attempt(address, account)
        if not self.enabled:
            return attempt
        try:
            self._refuse_when_full(_ADDRESS, address)
            full = [item for item in _ACCOUNT if not self._limiter.test(item, account)]
            if not full:
                return attempt
            if self._limiter.test(_FRESH, account, address) and self._limiter.test(
                _CEILING, account
            ):
                return Attempt(address, account, as_fresh_address=True)
            self._refuse(full, account)
        except RateLimited:
            raise
        except Exception:  # the store's driver errors: let sign-in work rather than fail
            log.warning("login throttle store unreachable; not throttling", exc_info=True)
        return attempt

    def failed(self, attempt: Attempt) -> None:
        if not self.enabled:
            return
        try:
            for item in _ADDRESS:
                self._limiter.hit(item, attempt.address)
            for item in _ACCOUNT:
                self._limiter.hit(item, attempt.account)
            self._limiter.hit(_FRESH, attempt.account, attempt.address)
            if attempt.as_fresh_address:
                self._limiter.hit(_CEILING, attempt.account)
        except Exception:
            log.warning("login throttle store unreachable; failure not counted", exc_info=True)

    def _refuse_when_full(self, items: tuple[RateLimitItem, ...], key: str) -> None:
        full = [item for item in items if not self._limiter.test(item, key)]
        if full:
            self._refuse(full, key)

    def _refuse(self, full: Sequence[RateLimitItem], key: str) -> None:
        """Retry-After: when the longest-waiting full tier has room again."""
        reset_at = max(self._limiter.get_window_stats(item, key).reset_time for item in full)
        wait = math.ceil(reset_at - self._clock.now().timestamp())
        raise RateLimited(retry_after_seconds=max(1, wait))
