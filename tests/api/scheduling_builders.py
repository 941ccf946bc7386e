"""Typed builders for the scheduling tests: users, teams and rotation groups as rows.

Teams and users have their own API tests; here they are only the ground the schedules stand on,
so they are written straight through the models (one committed transaction each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.ids import new_slug
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User
from openoncall.users.service import create_user
from openoncall.webhooks.models import Webhook


def make_user(
    container: Container, org_id: int, username: str, first: str = "", last: str = ""
) -> str:
    with container.sessions.transaction() as session:
        create_user(
            session,
            org_id,
            username=username,
            first_name=first or username.capitalize(),
            last_name=last or "Tester",
            email=f"{username}@example.com",
            now=container.clock.now(),
        )
    return username


def make_team(
    container: Container, org_id: int, name: str, members: list[str] | None = None
) -> str:
    """A team with the given usernames as members; returns its slug."""
    with container.sessions.transaction() as session:
        team = Team(
            org_id=org_id,
            slug=new_slug("team", 16),
            name=name,
            is_default=False,
            version=0,
            created_at=container.clock.now(),
        )
        session.add(team)
        session.flush()
        for username in members or []:
            user_id = session.scalars(
                select(User.id).where(User.org_id == org_id, User.username == username)
            ).one()
            session.add(TeamMember(org_id=org_id, team_id=team.id, user_id=user_id, is_admin=False))
        return team.slug


def make_rotation_group(container: Container, org_id: int, team_slug: str, label: str) -> str:
    """An empty rotation group of a team; returns its slug."""
    with container.sessions.transaction() as session:
        team = session.scalars(
            select(Team).where(Team.org_id == org_id, Team.slug == team_slug)
        ).one()
        group = RotationGroup(
            org_id=org_id,
            team_id=team.id,
            slug=new_slug("rtg", 16),
            label=label,
            created_at=container.clock.now(),
        )
        session.add(group)
        session.flush()
        return group.slug


WEEKDAYS_9_TO_5 = {
    "mask": {
        "day": {"su": False, "m": True, "t": True, "w": True, "th": True, "f": True, "sa": False},
        "time": [{"start": {"hour": 9, "minute": 0}, "end": {"hour": 17, "minute": 0}}],
    }
}


@dataclass(frozen=True)
class ShiftSpec:
    """One shift of a rotation: `anchor` is the first handoff (its local time of day is the
    handoff time); `kind` is the VictorOps shifttype; `mask` only for pho/cstm."""

    label: str
    timezone: str
    anchor: datetime
    members: list[str]
    kind: str = "std"
    handoff_days: int = 7
    mask: dict[str, Any] = field(default_factory=dict)


def make_rotation(
    container: Container, org_id: int, team_slug: str, label: str, shifts: list[ShiftSpec]
) -> str:
    """A rotation group with its shifts and members; returns its slug."""
    group_slug = make_rotation_group(container, org_id, team_slug, label)
    with container.sessions.transaction() as session:
        group = session.scalars(select(RotationGroup).where(RotationGroup.slug == group_slug)).one()
        for spec in shifts:
            shift = RotationShift(
                org_id=org_id,
                group_id=group.id,
                label=spec.label,
                timezone=spec.timezone,
                shift_type=spec.kind,
                start_at=spec.anchor,
                handoff_days=spec.handoff_days,
                mask=spec.mask,
                member_offset=0,
                created_at=container.clock.now(),
            )
            session.add(shift)
            session.flush()
            for position, username in enumerate(spec.members):
                user_id = session.scalars(
                    select(User.id).where(User.org_id == org_id, User.username == username)
                ).one()
                session.add(
                    RotationMember(
                        org_id=org_id, shift_id=shift.id, user_id=user_id, position=position
                    )
                )
    return group_slug


def make_policy(api: TestClient, team_slug: str, name: str, rotation_slugs: list[str]) -> str:
    """A one-step policy paging the given rotation groups, made through the API; its slug."""
    entries = [
        {"executionType": "rotation_group", "rotationGroup": {"slug": slug}}
        for slug in rotation_slugs
    ]
    r = api.post(
        "/api-public/v1/policies",
        json={"name": name, "teamSlug": team_slug, "steps": [{"timeout": 0, "entries": entries}]},
    )
    assert r.status_code == 200, r.text
    slug: str = r.json()["slug"]
    return slug


@dataclass(frozen=True)
class OpsTeam:
    """Team "Ops": a weekly UTC 24/7 rotation alice → bob → carol handing off Mondays 09:00Z
    from 5 January 2026 (the test clock's T0 is that Monday 12:00Z: alice is on call), and
    one policy over it."""

    team: str
    rotation: str
    policy: str


def make_ops_team(api: TestClient, container: Container, org_id: int) -> OpsTeam:
    for name in ("alice", "bob", "carol", "dave"):
        make_user(container, org_id, name)
    team = make_team(container, org_id, "Ops", ["alice", "bob", "carol", "dave"])
    rotation = make_rotation(
        container,
        org_id,
        team,
        "Primary",
        [
            ShiftSpec(
                "Weekly",
                "UTC",
                datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
                ["alice", "bob", "carol"],
            )
        ],
    )
    return OpsTeam(team, rotation, make_policy(api, team, "Ops policy", [rotation]))


def make_webhook(container: Container, org_id: int, label: str) -> str:
    """An outgoing webhook (the paging part owns their API); returns its slug."""
    with container.sessions.transaction() as session:
        hook = Webhook(
            org_id=org_id,
            slug=new_slug("wh", 16),
            label=label,
            url="http://127.0.0.1:9/hook",
            secret="s3cret",
            created_at=container.clock.now(),
        )
        session.add(hook)
        session.flush()
        return hook.slug
