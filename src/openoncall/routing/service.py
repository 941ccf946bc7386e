"""Routing-key use cases: the default key, listing, creating, resolving a key to policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openoncall.errors import AlreadyExists, InvalidInput, NotFound
from openoncall.policies.models import EscalationPolicy
from openoncall.routing.models import RoutingKey, RoutingKeyTarget, routing_key_table
from openoncall.teams.models import Team

# The name given to an organization's default routing key when it is created lazily.
DEFAULT_KEY = "default"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class TargetView:
    policy_id: int
    policy_slug: str
    policy_name: str
    team_slug: str


@dataclass(frozen=True, slots=True)
class RoutingKeyView:
    key: str
    is_default: bool
    targets: tuple[TargetView, ...]


@dataclass(frozen=True, slots=True)
class RoutingTable:
    """An org's routing keys in memory: key → policy ids, and the default key."""

    default_key: str
    policies_by_key: dict[str, tuple[int, ...]]

    def route(self, key: str | None) -> str:
        """The key an alert is routed by: itself if it exists, else the default."""
        if key is not None and key in self.policies_by_key:
            return key
        return self.default_key


def ensure_default_routing_key(session: Session, org_id: int, *, now: datetime) -> str:
    """The org's default key, created (race-safely) the first time anyone needs it."""
    conn = session.connection()
    found = conn.execute(
        select(RoutingKey.key).where(RoutingKey.org_id == org_id, RoutingKey.is_default)
    ).scalar()
    if found is not None:
        return str(found)
    table = routing_key_table
    dialect = conn.dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    conn.execute(
        ins.values(
            org_id=org_id, key=DEFAULT_KEY, is_default=True, created_at=now
        ).on_conflict_do_nothing()
    )
    # A key named "default" created by hand before any default existed becomes the default.
    conn.execute(
        update(table)
        .where(table.c.org_id == org_id, table.c.key == DEFAULT_KEY)
        .values(is_default=True)
    )
    return DEFAULT_KEY


def load_routing_table(session: Session, org_id: int, *, now: datetime) -> RoutingTable:
    default_key = ensure_default_routing_key(session, org_id, now=now)
    rows = (
        session.connection()
        .execute(
            select(RoutingKey.key, RoutingKeyTarget.policy_id)
            .outerjoin(RoutingKeyTarget, RoutingKeyTarget.routing_key_id == RoutingKey.id)
            .where(RoutingKey.org_id == org_id)
            .order_by(RoutingKey.id, RoutingKeyTarget.position)
        )
        .all()
    )
    policies: dict[str, list[int]] = {}
    for key, policy_id in rows:
        policies.setdefault(key, [])
        if policy_id is not None:
            policies[key].append(policy_id)
    return RoutingTable(
        default_key=default_key,
        policies_by_key={k: tuple(v) for k, v in policies.items()},
    )


def list_routing_keys(session: Session, org_id: int, *, now: datetime) -> list[RoutingKeyView]:
    """Every key, the default first. Reads only: a default key not created yet (it is made
    by the first alert or key creation) is shown as it will be."""
    del now
    keys = session.scalars(
        select(RoutingKey).where(RoutingKey.org_id == org_id).order_by(RoutingKey.key)
    ).all()
    rows = session.execute(
        select(
            RoutingKeyTarget.routing_key_id,
            EscalationPolicy.id,
            EscalationPolicy.slug,
            EscalationPolicy.name,
            Team.slug,
        )
        .join(EscalationPolicy, EscalationPolicy.id == RoutingKeyTarget.policy_id)
        .join(Team, Team.id == EscalationPolicy.team_id)
        .where(RoutingKeyTarget.org_id == org_id)
        .order_by(RoutingKeyTarget.routing_key_id, RoutingKeyTarget.position)
    ).all()
    targets: dict[int, list[TargetView]] = {}
    for key_id, policy_id, slug, name, team_slug in rows:
        targets.setdefault(key_id, []).append(TargetView(policy_id, slug, name, team_slug))
    has_default = any(k.is_default for k in keys)
    views = [
        RoutingKeyView(
            k.key,
            k.is_default or (not has_default and k.key == DEFAULT_KEY),
            tuple(targets.get(k.id, ())),
        )
        for k in keys
    ]
    if not any(v.is_default for v in views):
        views.append(RoutingKeyView(DEFAULT_KEY, True, ()))
    # The default key first, as the vendor lists it; the rest by name.
    return sorted(views, key=lambda v: (not v.is_default, v.key))


def resolve_policy_slugs(
    session: Session, org_id: int, slugs: Sequence[str], *, field: str = "targets"
) -> list[EscalationPolicy]:
    """Policies by slug within the org, in the order given; unknown slugs are a 400."""
    if not slugs:
        return []
    found = {
        p.slug: p
        for p in session.scalars(
            select(EscalationPolicy).where(
                EscalationPolicy.org_id == org_id, EscalationPolicy.slug.in_(set(slugs))
            )
        )
    }
    missing = [s for s in slugs if s not in found]
    if missing:
        raise NotFound(f"Escalation policy {missing[0]} not found", field=field)
    return [found[s] for s in dict.fromkeys(slugs)]


def create_routing_key(
    session: Session, org_id: int, *, key: str, policy_slugs: Sequence[str], now: datetime
) -> RoutingKeyView:
    if not key or not key.strip():
        raise InvalidInput("routingKey must not be empty", field="routingKey")
    if len(key) > MAX_KEY_LENGTH or "/" in key or any(c.isspace() for c in key):
        raise InvalidInput(
            "routingKey must be at most 255 characters, without spaces or '/'",
            field="routingKey",
        )
    ensure_default_routing_key(session, org_id, now=now)
    exists = session.scalar(
        select(RoutingKey.id).where(RoutingKey.org_id == org_id, RoutingKey.key == key)
    )
    if exists is not None:
        raise AlreadyExists(f"Routing key {key} already exists", field="routingKey")
    policies = resolve_policy_slugs(session, org_id, policy_slugs)
    row = RoutingKey(org_id=org_id, key=key, is_default=False, created_at=now)
    session.add(row)
    session.flush()
    for position, policy in enumerate(policies):
        session.add(
            RoutingKeyTarget(
                org_id=org_id, routing_key_id=row.id, policy_id=policy.id, position=position
            )
        )
    session.flush()
    teams = dict(
        session.execute(
            select(Team.id, Team.slug).where(Team.id.in_({p.team_id for p in policies}))
        ).all()
    )
    return RoutingKeyView(
        key=key,
        is_default=False,
        targets=tuple(TargetView(p.id, p.slug, p.name, teams[p.team_id]) for p in policies),
    )


def set_routing_key_policies(
    session: Session, org_id: int, *, key: str, policy_slugs: Sequence[str], now: datetime
) -> None:
    """Replace the policies a routing key pages (the default key too: until it names one, an
    alert routed to it is recorded and pages nobody). No policy: the key pages nobody."""
    ensure_default_routing_key(session, org_id, now=now)
    row = session.scalar(
        select(RoutingKey).where(RoutingKey.org_id == org_id, RoutingKey.key == key)
    )
    if row is None:
        raise NotFound(f"Routing key not found: {key}", field="routingKey")
    policies = resolve_policy_slugs(session, org_id, policy_slugs)
    old = session.scalars(
        select(RoutingKeyTarget).where(
            RoutingKeyTarget.org_id == org_id, RoutingKeyTarget.routing_key_id == row.id
        )
    ).all()
    for target in old:
        session.delete(target)
    session.flush()
    for position, policy in enumerate(policies):
        session.add(
            RoutingKeyTarget(
                org_id=org_id, routing_key_id=row.id, policy_id=policy.id, position=position
            )
        )
    session.flush()
