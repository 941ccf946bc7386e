"""Table: engine_heartbeat, one row per engine process, rewritten as it runs.

The engine writes its row every few seconds (`OPENONCALL_ENGINE_HEARTBEAT_SECONDS`) with how
far behind it is; `/readyz` and `/metrics` read these rows, so any process (a `serve
--no-engine` behind a load balancer) can tell whether some engine is alive and keeping up.
Rows of stopped engines stay until they are a day old, so a crashed engine stays visible.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Float, Integer, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from openoncall.db.base import Base, UtcDateTime

# Rows older than this are an engine long gone: deleted by the next engine that beats.
FORGET_AFTER = timedelta(days=1)


class EngineHeartbeat(Base):
    __tablename__ = "engine_heartbeat"

    # host:pid:random, new for every engine start.
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # How late the most overdue job was when this engine last looked (0 when none waited).
    lag_seconds: Mapped[float] = mapped_column(Float, default=0.0)


def new_engine_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat(
    session: Session, engine_id: str, *, now: datetime, started_at: datetime, lag: float
) -> None:
    """Write this engine's row (insert on its first beat)."""
    updated = session.execute(
        update(EngineHeartbeat)
        .where(EngineHeartbeat.id == engine_id)
        .values(beat_at=now, lag_seconds=lag)
    ).rowcount  # type: ignore[attr-defined]
    if not updated:
        host, pid, _ = engine_id.rsplit(":", 2)
        session.add(
            EngineHeartbeat(
                id=engine_id,
                host=host,
                pid=int(pid),
                started_at=started_at,
                beat_at=now,
                lag_seconds=lag,
            )
        )
        session.execute(delete(EngineHeartbeat).where(EngineHeartbeat.beat_at < now - FORGET_AFTER))


def aware(value: datetime) -> datetime:
    # Aggregates bypass the UtcDateTime column type, so SQLite hands back naive UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def newest_beat(session: Session) -> datetime | None:
    at = session.scalar(select(func.max(EngineHeartbeat.beat_at)))
    return None if at is None else aware(at)


def all_beats(session: Session) -> list[EngineHeartbeat]:
    return list(session.scalars(select(EngineHeartbeat).order_by(EngineHeartbeat.id)))
