"""The composition root: build_container(settings) wires engine, sessions, clock and limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from openoncall.users.list_cache import UserListCache

if TYPE_CHECKING:
    import redis

    from openoncall.alerts.writer import GroupCommitWriter
    from openoncall.engine.wakeup import Wakeup
    from openoncall.links.signing import LinkSigner
    from openoncall.notify.channel import Channel, Medium


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: Sessions
    clock: Clock
    rate_limiter: RateLimiter
    login_throttle: LoginThrottle
    usage: UsageTally
    # Whether `serve` runs the paging engine in this process.
    run_engine: bool = False
    # Channels to send through instead of the ones the settings configure.
    channels: Mapping[Medium, Channel] | None = None
    # Run when the app starts and, in reverse, when it stops.
    on_start: list[Callable[[], None]] = field(default_factory=list)
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    # Made on first use, one per container:
    wakeup: Wakeup | None = None
    alert_writer: GroupCommitWriter | None = None
    link_signer: LinkSigner | None = None
    web_secret: str | None = None
    redis_probe: redis.Redis[bytes] | None = None
    user_lists: UserListCache = field(default_factory=UserListCache)
    # On-call now, encoded, with its entity tag, per organization (schedules/router.py).
    oncall_now: oncall_cache.OrgCache[Any] = field(default_factory=oncall_cache.OrgCache)


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
