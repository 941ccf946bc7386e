"""The composition root: build_container(settings) wires engine, sessions, clock and limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from openoncall.api.rate_limits import RateLimiter
from openoncall.auth import api_keys
from openoncall.auth.login_throttle import LoginThrottle
from openoncall.auth.usage import UsageTally
from openoncall.clock import Clock, SystemClock
from openoncall.db.engine import make_engine
from openoncall.db.session import Sessions
from openoncall.schedules import cache as oncall_cache
from openoncall.settings import Settings
from openoncall.users import list_cache


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: Sessions
    clock: Clock
    rate_limiter: RateLimiter
    login_throttle: LoginThrottle
    usage: UsageTally
    # Later parts (engine wake-ups, channels) hang their seams here by name.
    extras: dict[str, Any] = field(default_factory=dict)


def install_write_hooks(sessions: Sessions) -> None:
    """The caches' invalidation: every write through these sessions that changes API keys,
    users or anything on-call is derived from bumps a version or drops a cache."""
    for factory in (sessions.read, sessions.write):
        api_keys.install_cache_hooks(factory)
        oncall_cache.install_version_hooks(factory)
        list_cache.install_version_hooks(factory)


def build_container(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
) -> Container:
    engine = engine or make_engine(
        settings.database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    rate_limiter = RateLimiter.from_settings(settings.redis_url, settings.rate_limit_scale)
    sessions = Sessions.for_engine(engine)
    install_write_hooks(sessions)
    return Container(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock or SystemClock(),
        rate_limiter=rate_limiter,
        login_throttle=LoginThrottle(rate_limiter.storage, enabled=settings.login_throttle),
        usage=UsageTally(),
    )
