"""Wire the engine into a container: commit hooks, link signing, channels, serve's lifespan.

`install_wakeup(container)` belongs in every process that writes jobs (serve, with or without
the engine, and the engine itself): it is what makes a commit wake the engine. `build_engine`
assembles an Engine from the container's settings (channels from the registry unless tests
hand in their own). `attach_to_app` starts and stops it with the HTTP app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from openoncall.container import Container
from openoncall.db.engine import is_sqlite
from openoncall.engine.handlers import HandlerDeps, build_handlers
from openoncall.engine.wakeup import Wakeup, install_commit_hooks, libpq_conninfo
from openoncall.engine.watchdog import Deadman, Watchdog
from openoncall.engine.worker import Engine, EngineOptions
from openoncall.escalation.service import Paging
from openoncall.links.service import link_signer
from openoncall.links.signing import LinkAction
from openoncall.notify.channel import Channel, Medium
from openoncall.notify.egress import EgressPolicy
from openoncall.notify.registry import build_channels
from openoncall.paging import service as personal


def install_wakeup(container: Container) -> Wakeup:
    """Make commits that create jobs wake the engine (once per container)."""
    if container.wakeup is not None:
        return container.wakeup
    wakeup = Wakeup()
    install_commit_hooks(container.sessions, wakeup, postgres=not is_sqlite(container.engine))
    container.wakeup = wakeup
    return wakeup


def paging_for(container: Container) -> Paging:
    signer = link_signer(container)

    def links(org_id: int, incident_id: int, action: LinkAction, user_id: int | None) -> str:
        return signer.url(org_id=org_id, incident_id=incident_id, action=action, user_id=user_id)

    return Paging(links=links, steps_loader=personal.personal_steps)


def build_engine(
    container: Container,
    *,
    channels: Mapping[Medium, Channel],
    options: EngineOptions | None = None,
) -> Engine:
    wakeup = install_wakeup(container)
    chosen = channels
    deps = HandlerDeps(
        channels=chosen, paging=paging_for(container), base_url=container.settings.base_url
    )

    async def close_channels() -> None:
        for channel in {id(c): c for c in chosen.values()}.values():
            await channel.aclose()

    postgres = not is_sqlite(container.engine)
    if not postgres:
        options = replace(options or EngineOptions(), db_threads=1)
    return Engine(
        container.sessions,
        container.clock,
        build_handlers(deps),
        wakeup=wakeup,
        options=options,
        pg_conninfo=libpq_conninfo(container.engine) if postgres else None,
        on_close=close_channels,
        watchdog=watchdog_for(container),
    )


def watchdog_for(container: Container) -> Watchdog:
    settings = container.settings
    deadman = None
    if settings.deadman_url is not None:
        deadman = Deadman(
            settings.deadman_url.get_secret_value(),
            method=settings.deadman_method,
            interval=settings.deadman_interval_seconds,
            policy=EgressPolicy.parse(settings.webhook_allowlist),
        )
    return Watchdog(
        container.sessions,
        container.clock,
        heartbeat_seconds=settings.engine_heartbeat_seconds,
        deadman=deadman,
    )


def channels_for(container: Container) -> Mapping[Medium, Channel]:
    """The container's own channels, else the ones the settings configure."""
    if container.channels is not None:
        return container.channels
    return build_channels(container.settings)


def attach_to_app(container: Container) -> None:
    """Hook the engine into the app's lifespan (serve), unless run_engine is false."""
    install_wakeup(container)
    if not container.run_engine:
        return
    holder: list[Engine] = []

    def start() -> None:
        engine = build_engine(container, channels=channels_for(container))
        engine.start()
        holder.append(engine)

    def stop() -> None:
        while holder:
            holder.pop().stop()

    container.on_start.append(start)
    container.on_stop.append(stop)
