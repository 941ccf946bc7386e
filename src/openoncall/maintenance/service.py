"""Maintenance-mode use cases: start, end, list, and whether a routing key is muted now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openoncall.auth.permissions import Action, Actor, require
from openoncall.errors import Conflict, InvalidInput, NotFound
from openoncall.ids import new_slug
from openoncall.maintenance.models import MaintenanceMode
from openoncall.routing.models import RoutingKey

TARGET_TYPE = "RoutingKeys"


@dataclass(frozen=True, slots=True)
class MaintenanceView:
    """What is in maintenance right now, for routing alerts."""

    is_global: bool
    routing_keys: frozenset[str]
    instance_ids: tuple[str, ...]

    def covers(self, *keys: str | None) -> bool:
        return self.is_global or any(k is not None and k in self.routing_keys for k in keys)


def list_active(session: Session, org_id: int) -> list[MaintenanceMode]:
    return list(
        session.scalars(
            select(MaintenanceMode)
            .where(MaintenanceMode.org_id == org_id, MaintenanceMode.ended_at.is_(None))
            .order_by(MaintenanceMode.started_at, MaintenanceMode.id)
        )
    )


def active_view(session: Session, org_id: int) -> MaintenanceView:
    """What is muted now; read per alert batch, so Core rather than ORM objects."""
    rows = (
        session.connection()
        .execute(
            select(
                MaintenanceMode.instance_id, MaintenanceMode.is_global, MaintenanceMode.routing_keys
            )
            .where(MaintenanceMode.org_id == org_id, MaintenanceMode.ended_at.is_(None))
            .order_by(MaintenanceMode.started_at, MaintenanceMode.id)
        )
        .all()
    )
    keys: set[str] = set()
    for row in rows:
        keys.update(row.routing_keys)
    return MaintenanceView(
        is_global=any(r.is_global for r in rows),
        routing_keys=frozenset(keys),
        instance_ids=tuple(r.instance_id for r in rows),
    )


def start_maintenance(
    session: Session,
    org_id: int,
    *,
    target_type: str,
    names: Sequence[str],
    purpose: str,
    started_by: str,
    by: Actor | None,
    now: datetime,
) -> MaintenanceMode:
    """Start a window; empty `names` means global, and only one global window may be active.

    `by` is the person starting it (None: a full-access API key, which may do anything)."""
    if target_type != TARGET_TYPE:
        raise InvalidInput(f"type must be {TARGET_TYPE}", field="type")
    keys = list(dict.fromkeys(names))
    require(by, _action(is_global=not keys))
    if keys:
        known = set(
            session.scalars(
                select(RoutingKey.key).where(RoutingKey.org_id == org_id, RoutingKey.key.in_(keys))
            )
        )
        missing = [k for k in keys if k not in known]
        if missing:
            raise NotFound(f"Routing key {missing[0]} not found", field="names")
    is_global = not keys
    if is_global and any(r.is_global for r in list_active(session, org_id)):
        raise Conflict("Global maintenance mode is already active", field="names")
    row = MaintenanceMode(
        org_id=org_id,
        instance_id=new_slug("mm", 16),
        is_global=is_global,
        global_slot=1 if is_global else None,
        routing_keys=keys,
        purpose=purpose,
        started_by=started_by,
        started_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:  # a concurrent global start won the race
        raise Conflict("Global maintenance mode is already active", field="names") from exc
    return row


def _action(*, is_global: bool) -> Action:
    # Global maintenance silences all paging: a stronger permission than muting a few keys.
    return Action.GLOBAL_MAINTENANCE if is_global else Action.ROUTING_KEY_MAINTENANCE


def end_maintenance(
    session: Session,
    org_id: int,
    instance_id: str,
    *,
    ended_by: str,
    by: Actor | None,
    now: datetime,
) -> MaintenanceMode:
    row = session.scalar(
        select(MaintenanceMode).where(
            MaintenanceMode.org_id == org_id,
            MaintenanceMode.instance_id == instance_id,
            MaintenanceMode.ended_at.is_(None),
        )
    )
    if row is None:
        raise NotFound(f"Maintenance mode {instance_id} not found", field="maintenancemodeid")
    require(by, _action(is_global=row.is_global))
    row.ended_at = now
    row.ended_by = ended_by
    row.global_slot = None
    session.flush()
    return row
