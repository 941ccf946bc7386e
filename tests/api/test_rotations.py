"""The rotations API (NOTES (a2), provisional): list/create/delete rotation groups, get/set a
shift's scheduled user, and the v2 list, asserting whole bodies on SQLite and PostgreSQL.

The test clock stands at Monday 2026-01-05 12:00Z.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from openoncall.audit.models import AuditEvent
from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.errors import NotFound
from openoncall.policies.models import EscalationPolicy
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from openoncall.schedules import service as schedules
from tests.api.scheduling_builders import make_policy, make_team, make_user
from tests.conftest import Org, make_org

V1 = "/api-public/v1/teams"
V2 = "/api-public/v2/team"
WEEK = ("su", "m", "t", "w", "th", "f", "sa")
NO_MASK = "shift 1: a partial-day shift needs a mask with at least one day and time"
DEC29_NY_9AM = datetime(2025, 12, 29, 14, tzinfo=UTC)  # Monday 09:00 EST
WEEKDAYS = {"su": False, "m": True, "t": True, "w": True, "th": True, "f": True, "sa": False}


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _team(container: Container, org: Org, *names: str) -> str:
    for name in names:
        make_user(container, org.org_id, name)
    return make_team(container, org.org_id, "Ops", list(names))


def _weekly_ny(start: Any = None, usernames: list[str] | None = None) -> dict[str, Any]:
    return {
        "label": "Weekly",
        "timezone": "America/New_York",
        "start": ms(DEC29_NY_9AM) if start is None else start,
        "duration": 7,
        "shifttype": "std",
        "usernames": usernames or ["alice", "bob", "carol"],
    }


def _member_slugs(container: Container, shift_id: int) -> list[str]:
    with container.sessions.transaction() as session:
        ids = session.scalars(
            select(RotationMember.id)
            .where(RotationMember.shift_id == shift_id)
            .order_by(RotationMember.position)
        ).all()
    return [f"rtm-{i}" for i in ids]


def _count(container: Container, model: Any) -> int:
    with container.sessions.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _audit(container: Container) -> list[tuple[str, str, str, str]]:
    with container.sessions.transaction() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(r.actor, r.action, r.subject_type, r.subject_id) for r in rows]


def test_create_a_weekly_new_york_rotation_answers_the_group_with_its_periods(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice", "bob", "carol")
    r = api.post(f"{V1}/{team}/rotations", json={"label": "Primary", "shifts": [_weekly_ny()]})
    assert r.status_code == 200, r.text
    body = r.json()
    group_id, shift_id = body["id"], body["shifts"][0]["rot_id"]
    alice, bob, carol = _member_slugs(container, shift_id)

    def period(start: datetime, end: datetime, user: str, slug: str) -> dict[str, Any]:
        return {
            "start": ms(start),
            "end": ms(end),
            "username": user,
            "isRoll": True,
            "memberSlug": slug,
        }

    first = period(DEC29_NY_9AM, _utc(2026, 1, 5, 14), "alice", alice)
    second = period(_utc(2026, 1, 5, 14), _utc(2026, 1, 12, 14), "bob", bob)
    third = period(_utc(2026, 1, 12, 14), _utc(2026, 1, 19, 14), "carol", carol)
    assert body == {
        "orgslug": org.boot.org_slug,
        "teamslug": team,
        "id": group_id,
        "slug": body["slug"],
        "label": "Primary",
        "shifts": [
            {
                "rot_id": shift_id,
                "group_id": group_id,
                "label": "Weekly",
                "timezone": "America/New_York",
                "start": ms(DEC29_NY_9AM),
                "duration": 7,
                "shifttype": "std",
                "mask": None,
                "mask2": None,
                "mask3": None,
                "periods": [first, second, third],
                "oncall": "alice",
                "current": first,
                "next": second,
                "shiftMembers": [
                    {"slug": alice, "username": "alice"},
                    {"slug": bob, "username": "bob"},
                    {"slug": carol, "username": "carol"},
                ],
            }
        ],
    }
    assert body["slug"].startswith("rtg-")
    assert api.get(f"{V1}/{team}/rotations").json() == {
        "rotationGroups": [
            {"groupId": group_id, "teamSlug": team, "slug": body["slug"], "label": "Primary"}
        ]
    }
    assert _audit(container)[-1] == (
        org.boot.admin_username,
        "rotation.create",
        "rotation_group",
        body["slug"],
    )


def test_start_accepts_iso_dates_and_the_v2_list_speaks_utc_starts_and_local_periods(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice", "bob", "carol", "lea", "max")
    weekly = _weekly_ny(start="2025-12-29T14:00:00.000Z")  # the Joda format some gateways want
    office = {
        "label": "Office",
        "timezone": "Europe/London",
        "start": "2026-01-05",  # a date: local midnight in the shift's zone
        "shifttype": "pho",
        "mask": {"day": WEEKDAYS, "time": [{"start": {"hour": 9}, "end": {"hour": 17}}]},
        "usernames": ["lea", "max"],
    }
    weekend = {
        "label": "Weekend",
        "timezone": "Asia/Kolkata",
        "start": "2026-01-02T17:00:00",  # no offset: local to Asia/Kolkata
        "duration": 7,
        "shifttype": "cstm",
        "mask": {"day": {"f": True}, "time": [{"start": {"hour": 17}, "end": {"hour": 0}}]},
        "mask2": {"day": {"sa": True, "su": True}, "time": []},
        "mask3": {"day": {"m": True}, "time": [{"start": {"hour": 0}, "end": {"hour": 9}}]},
        "shiftMembers": [{"username": "alice"}, {"username": "bob"}],
    }
    r = api.post(
        f"{V1}/{team}/rotations",
        json={"label": "Mixed", "shifts": [weekly, office, weekend]},
    )
    assert r.status_code == 200, r.text
    created = r.json()
    group_id = created["id"]
    ids = [s["rot_id"] for s in created["shifts"]]
    weekly_slugs, office_slugs, weekend_slugs = (_member_slugs(container, i) for i in ids)

    def period(start: str, end: str, user: str, slug: str) -> dict[str, Any]:
        return {"start": start, "end": end, "username": user, "isRoll": True, "memberSlug": slug}

    def mask(days: dict[str, bool], start: int, end: int) -> dict[str, Any]:
        every = dict.fromkeys(WEEK, False)
        return {
            "day": every | days,
            "time": [{"start": {"hour": start, "minute": 0}, "end": {"hour": end, "minute": 0}}],
        }

    ny = [
        period("2025-12-29T09:00:00-05:00", "2026-01-05T09:00:00-05:00", "alice", weekly_slugs[0]),
        period("2026-01-05T09:00:00-05:00", "2026-01-12T09:00:00-05:00", "bob", weekly_slugs[1]),
        period("2026-01-12T09:00:00-05:00", "2026-01-19T09:00:00-05:00", "carol", weekly_slugs[2]),
    ]
    # Weekdays 09:00-17:00 London from Monday 5 January: lea's week, then max's.
    london = [
        period(f"2026-01-{d:02d}T09:00:00+00:00", f"2026-01-{d:02d}T17:00:00+00:00", who, slug)
        for d, who, slug in [
            (5, "lea", office_slugs[0]),
            (6, "lea", office_slugs[0]),
            (7, "lea", office_slugs[0]),
            (8, "lea", office_slugs[0]),
            (9, "lea", office_slugs[0]),
            (12, "max", office_slugs[1]),
            (13, "max", office_slugs[1]),
            (14, "max", office_slugs[1]),
            (15, "max", office_slugs[1]),
            (16, "max", office_slugs[1]),
            (19, "lea", office_slugs[0]),
        ]
    ]
    # Friday 17:00 → Monday 09:00 in Kolkata (+05:30), from Friday 2 January.
    kolkata = [
        period("2026-01-09T17:00:00+05:30", "2026-01-12T09:00:00+05:30", "bob", weekend_slugs[1]),
        period("2026-01-16T17:00:00+05:30", "2026-01-19T09:00:00+05:30", "alice", weekend_slugs[0]),
    ]
    r = api.get(f"{V2}/{team}/rotations")
    assert r.status_code == 200
    assert r.json() == {
        "rotations": [
            {
                "groupId": group_id,
                "slug": created["slug"],
                "label": "Mixed",
                "totalMembersInRotation": 5,
                "shifts": [
                    {
                        "shiftId": ids[0],
                        "label": "Weekly",
                        "timezone": "America/New_York",
                        # UTC with a Z; the zone is in `timezone`.
                        "start": "2025-12-29T14:00:00Z",
                        "duration": 7,
                        "shifttype": "std",
                        # 24/7: every day, all day; no mask2/mask3 keys at all.
                        "mask": mask(dict.fromkeys(WEEK, True), 0, 0),
                        "current": ny[0],
                        "next": ny[1],
                        "periods": ny,
                        "shiftMembers": [
                            {"slug": s, "username": u}
                            for s, u in zip(weekly_slugs, ["alice", "bob", "carol"], strict=True)
                        ],
                    },
                    {
                        "shiftId": ids[1],
                        "label": "Office",
                        "timezone": "Europe/London",
                        "start": "2026-01-05T00:00:00Z",
                        "duration": 7,
                        "shifttype": "pho",
                        "mask": mask(WEEKDAYS, 9, 17),
                        "current": london[0],
                        "next": london[1],
                        "periods": london,
                        "shiftMembers": [
                            {"slug": office_slugs[0], "username": "lea"},
                            {"slug": office_slugs[1], "username": "max"},
                        ],
                    },
                    {
                        "shiftId": ids[2],
                        "label": "Weekend",
                        "timezone": "Asia/Kolkata",
                        "start": "2026-01-02T11:30:00Z",
                        "duration": 7,
                        "shifttype": "cstm",
                        "mask": mask({"f": True}, 17, 0),
                        "mask2": mask({"sa": True, "su": True}, 0, 0),
                        "mask3": mask({"m": True}, 0, 9),
                        "current": None,
                        "next": kolkata[0],
                        "periods": kolkata,
                        "shiftMembers": [
                            {"slug": weekend_slugs[0], "username": "alice"},
                            {"slug": weekend_slugs[1], "username": "bob"},
                        ],
                    },
                ],
            }
        ]
    }


def test_bad_shifts_are_400_naming_the_field_and_write_nothing(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice", "bob", "carol")
    url = f"{V1}/{team}/rotations"
    pho = {"label": "Office", "timezone": "UTC", "shifttype": "pho", "usernames": ["alice"]}
    cases: list[tuple[dict[str, Any], int, dict[str, str]]] = [
        (
            {"label": "R", "shifts": [_weekly_ny() | {"timezone": "Mars/Olympus"}]},
            400,
            {
                "error": "shift 0: Unknown time zone: 'Mars/Olympus'",
                "message": "shift 0: Unknown time zone: 'Mars/Olympus'",
                "field": "timezone",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny() | {"shifttype": "weekly"}]},
            400,
            {
                "error": "shift 0: shifttype must be std, fts, pho or cstm",
                "message": "shift 0: shifttype must be std, fts, pho or cstm",
                "field": "shifttype",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(), pho]},
            400,
            {"error": NO_MASK, "message": NO_MASK, "field": "mask"},
        ),
        (
            {
                "label": "R",
                "shifts": [
                    pho
                    | {
                        "mask": {
                            "day": {"m": True},
                            "time": [{"start": {"hour": 25}, "end": {"hour": 1}}],
                        }
                    }
                ],
            },
            400,
            {
                "error": "shift 0: mask: invalid time of day 25:00",
                "message": "shift 0: mask: invalid time of day 25:00",
                "field": "mask",
            },
        ),
        (
            {"label": "R", "shifts": [pho | {"mask2": {"day": {"xx": True}}}]},
            400,
            {
                "error": "shift 0: mask2: unknown mask day key(s): xx",
                "message": "shift 0: mask2: unknown mask day key(s): xx",
                "field": "mask2",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(usernames=["alice", "zed"])]},
            404,
            {
                "error": "User not found: zed",
                "message": "User not found: zed",
                "field": "usernames",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(start="next tuesday")]},
            400,
            {
                "error": "shift 0: start 'next tuesday' is not epoch ms or an ISO-8601 date",
                "message": "shift 0: start 'next tuesday' is not epoch ms or an ISO-8601 date",
                "field": "start",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(start="0001-01-01")]},
            400,
            {
                "error": "shift 0: start must be between 1970 and 2200",
                "message": "shift 0: start must be between 1970 and 2200",
                "field": "start",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(start="9999-12-31T23:59:00-10:00")]},
            400,
            {
                "error": "shift 0: start must be between 1970 and 2200",
                "message": "shift 0: start must be between 1970 and 2200",
                "field": "start",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(start=1e300)]},
            400,
            {
                "error": "shift 0: start is out of range",
                "message": "shift 0: start is out of range",
                "field": "start",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny(start=True)]},
            400,
            {
                "error": "shift 0: start must be epoch ms or an ISO date",
                "message": "shift 0: start must be epoch ms or an ISO date",
                "field": "start",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny() | {"duration": 0}]},
            400,
            {
                "error": "shift 0: duration must be between 1 and 366 days",
                "message": "shift 0: duration must be between 1 and 366 days",
                "field": "duration",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny() | {"duration": "weekly"}]},
            400,
            {
                "error": "shift 0: duration must be a whole number of days",
                "message": "shift 0: duration must be a whole number of days",
                "field": "duration",
            },
        ),
        (
            {"label": "  ", "shifts": []},
            400,
            {
                "error": "label is required and must be a non-empty string",
                "message": "label is required and must be a non-empty string",
                "field": "label",
            },
        ),
        (
            {"label": "R", "shifts": [_weekly_ny() | {"usernames": "alice"}]},
            400,
            {
                "error": "shift 0: usernames must be a list",
                "message": "shift 0: usernames must be a list",
                "field": "usernames",
            },
        ),
    ]
    for payload, status, error in cases:
        r = api.post(url, json=payload)
        assert (r.status_code, r.json()) == (status, error), payload
    assert api.get(url).json() == {"rotationGroups": []}
    assert _count(container, RotationGroup) == 0
    assert _count(container, RotationShift) == 0
    assert _audit(container) == []


def test_a_group_without_shifts_and_fts_as_std(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice")
    r = api.post(f"{V1}/{team}/rotations", json={"label": "Empty"})
    assert r.status_code == 200
    assert r.json() == {
        "orgslug": org.boot.org_slug,
        "teamslug": team,
        "id": r.json()["id"],
        "slug": r.json()["slug"],
        "label": "Empty",
        "shifts": [],
    }
    r = api.post(
        f"{V1}/{team}/rotations",
        json={"label": "Nobody", "shifts": [_weekly_ny() | {"usernames": []}]},
    )
    nobody = r.json()["shifts"][0]
    assert (nobody["periods"], nobody["oncall"], nobody["current"], nobody["next"]) == (
        [],
        None,
        None,
        None,
    )
    r = api.get(f"{V1}/{team}/rotations/{r.json()['id']}/{nobody['rot_id']}/scheduled")
    assert (r.status_code, r.json()) == (
        404,
        {
            "error": "The shift has no members",
            "message": "The shift has no members",
            "field": "shiftId",
        },
    )
    shift = _weekly_ny(usernames=["alice"]) | {"shifttype": "FTS", "duration": 1.0}
    r = api.post(f"{V1}/{team}/rotations", json={"label": "Daily", "shifts": [shift]})
    assert r.status_code == 200
    got = r.json()["shifts"][0]
    assert (got["shifttype"], got["duration"], got["oncall"]) == ("std", 1, "alice")


def test_scheduled_user_get_and_set_turns_the_rotation(
    api: TestClient, container: Container, org: Org, clock: FrozenClock
) -> None:
    team = _team(container, org, "alice", "bob", "carol")
    created = api.post(
        f"{V1}/{team}/rotations", json={"label": "Primary", "shifts": [_weekly_ny()]}
    ).json()
    group_id, shift_id = created["id"], created["shifts"][0]["rot_id"]
    url = f"{V1}/{team}/rotations/{group_id}/{shift_id}/scheduled"

    def user(name: str) -> dict[str, Any]:
        return {
            "username": name,
            "firstName": name.capitalize(),
            "lastName": "Tester",
            "displayName": f"{name.capitalize()} Tester",
            "version": 0,
            "verified": False,
        }

    r = api.get(url)
    assert (r.status_code, r.json()) == (200, user("alice"))
    r = api.put(url, json={"username": "carol"})
    assert (r.status_code, r.json()) == (200, user("carol"))
    assert api.get(url).json() == user("carol")
    shift = api.get(f"{V2}/{team}/rotations").json()["rotations"][0]["shifts"][0]
    # carol until the next handoff (Monday 09:00 EST), then the order continues: alice, bob.
    assert [(p["start"], p["username"]) for p in shift["periods"]] == [
        ("2025-12-29T09:00:00-05:00", "carol"),
        ("2026-01-05T09:00:00-05:00", "alice"),
        ("2026-01-12T09:00:00-05:00", "bob"),
    ]
    clock.set(_utc(2026, 1, 5, 15))
    assert api.get(url).json() == user("alice")
    assert _audit(container)[-1] == (
        org.boot.admin_username,
        "rotation.set_scheduled",
        "rotation_shift",
        str(shift_id),
    )


def test_set_scheduled_picks_an_occurrence_and_refuses_strangers(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice", "bob")
    make_user(container, org.org_id, "zoe")
    shift = _weekly_ny(usernames=["alice", "bob", "alice"])
    created = api.post(f"{V1}/{team}/rotations", json={"label": "P", "shifts": [shift]}).json()
    group_id, shift_id = created["id"], created["shifts"][0]["rot_id"]
    slugs = _member_slugs(container, shift_id)
    url = f"{V1}/{team}/rotations/{group_id}/{shift_id}/scheduled"
    cases: list[tuple[dict[str, Any], int, dict[str, str]]] = [
        (
            {},
            400,
            {
                "error": "username is required",
                "message": "username is required",
                "field": "username",
            },
        ),
        (
            {"username": "nobody"},
            404,
            {
                "error": "User not found: nobody",
                "message": "User not found: nobody",
                "field": "username",
            },
        ),
        (
            {"username": "zoe"},
            400,
            {
                "error": "zoe is not a member of this shift",
                "message": "zoe is not a member of this shift",
                "field": "username",
            },
        ),
        (
            {"username": "alice", "position": 1},
            400,
            {
                "error": "position 1 is not alice in this shift",
                "message": "position 1 is not alice in this shift",
                "field": "position",
            },
        ),
        (
            {"username": "alice", "memberSlug": slugs[1]},
            400,
            {
                "error": f"memberSlug '{slugs[1]}' is not alice in this shift",
                "message": f"memberSlug '{slugs[1]}' is not alice in this shift",
                "field": "memberSlug",
            },
        ),
    ]
    for payload, status, error in cases:
        r = api.put(url, json=payload)
        assert (r.status_code, r.json()) == (status, error), payload
    r = api.put(url, json={"username": "alice", "memberSlug": slugs[2]})
    assert r.status_code == 200
    periods = api.get(f"{V2}/{team}/rotations").json()["rotations"][0]["shifts"][0]["periods"]
    # The second alice (position 2) is on call now, so bob's turn is two handoffs away.
    assert [(p["username"], p["memberSlug"]) for p in periods] == [
        ("alice", slugs[2]),
        ("alice", slugs[0]),
        ("bob", slugs[1]),
    ]


def test_delete_a_rotation_group_and_refuse_while_a_policy_pages_it(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice", "bob", "carol")
    url = f"{V1}/{team}/rotations"
    kept = api.post(url, json={"label": "Kept", "shifts": [_weekly_ny()]}).json()
    gone = api.post(url, json={"label": "Gone", "shifts": [_weekly_ny()]}).json()
    policy = make_policy(api, team, "Ops policy", [kept["slug"]])
    r = api.request("DELETE", f"{url}/{gone['id']}", json={})
    assert (r.status_code, r.json()) == (200, {})
    r = api.delete(f"{url}/{kept['id']}")
    assert (r.status_code, r.json()) == (
        422,
        {
            "error": f"Rotation group {kept['slug']} is used by escalation policy {policy}; "
            "delete the policy first",
            "message": f"Rotation group {kept['slug']} is used by escalation policy {policy}; "
            "delete the policy first",
            "field": "groupId",
        },
    )
    r = api.delete(f"{url}/{gone['id']}")
    assert (r.status_code, r.json()) == (
        404,
        {
            "error": "Rotation group not found",
            "message": "Rotation group not found",
            "field": "groupId",
        },
    )
    assert api.get(url).json() == {
        "rotationGroups": [
            {"groupId": kept["id"], "teamSlug": team, "slug": kept["slug"], "label": "Kept"}
        ]
    }
    assert _count(container, RotationShift) == 1
    assert _count(container, RotationMember) == 3
    assert _audit(container)[-1] == (
        org.boot.admin_username,
        "rotation.delete",
        "rotation_group",
        gone["slug"],
    )


def test_rotations_are_team_scoped_and_tenants_never_see_each_other(
    api: TestClient, client: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice", "bob", "carol")
    other_team = make_team(container, org.org_id, "Dev", [])
    created = api.post(f"{V1}/{team}/rotations", json={"label": "P", "shifts": [_weekly_ny()]})
    group_id, shift_id = created.json()["id"], created.json()["shifts"][0]["rot_id"]
    # Same org, wrong team: the group is not found there.
    for method, path in [
        ("DELETE", f"{V1}/{other_team}/rotations/{group_id}"),
        ("GET", f"{V1}/{other_team}/rotations/{group_id}/{shift_id}/scheduled"),
    ]:
        r = api.request(method, path)
        assert (r.status_code, r.json()) == (
            404,
            {
                "error": "Rotation group not found",
                "message": "Rotation group not found",
                "field": "groupId",
            },
        )
    r = api.get(f"{V1}/{team}/rotations/{group_id}/{shift_id + 999}/scheduled")
    assert (r.status_code, r.json()) == (
        404,
        {"error": "Shift not found", "message": "Shift not found", "field": "shiftId"},
    )
    # Another organization's key: the team itself does not exist for it.
    intruder = make_org(container, name="Evil", admin="mallory")
    not_found = {"error": "Team not found", "message": "Team not found", "field": "team"}
    for method, path, payload in [
        ("GET", f"{V1}/{team}/rotations", None),
        ("POST", f"{V1}/{team}/rotations", {"label": "X"}),
        ("DELETE", f"{V1}/{team}/rotations/{group_id}", None),
        ("GET", f"{V1}/{team}/rotations/{group_id}/{shift_id}/scheduled", None),
        ("PUT", f"{V1}/{team}/rotations/{group_id}/{shift_id}/scheduled", {"username": "bob"}),
        ("GET", f"{V2}/{team}/rotations", None),
    ]:
        r = client.request(method, path, json=payload, headers=intruder.headers)
        assert (r.status_code, r.json()) == (404, not_found), (method, path)
    assert (
        api.get(f"{V1}/{team}/rotations/{group_id}/{shift_id}/scheduled").json()["username"]
        == "alice"
    )
    assert _count(container, RotationGroup) == 1
    r = api.get(f"{V1}/nope/rotations")
    assert (r.status_code, r.json()) == (404, not_found)
    r = api.get(f"{V1}/{team}/rotations/notanumber/1/scheduled")
    assert r.status_code == 400
    assert r.json()["field"] == "groupId"


def test_periods_follow_the_clock_past_a_dst_change(
    api: TestClient, container: Container, org: Org, clock: FrozenClock
) -> None:
    team = _team(container, org, "alice", "bob", "carol")
    clock.set(_utc(2026, 3, 4, 12))
    start = ms(_utc(2026, 3, 1, 14))  # Sunday 1 March 09:00 EST
    created = api.post(
        f"{V1}/{team}/rotations",
        json={"label": "P", "shifts": [_weekly_ny(start=start)]},
    ).json()
    shift = created["shifts"][0]
    # The 8 March handoff stays at 09:00 local, now EDT (13:00Z): a 167-hour week.
    assert [(p["start"], p["end"], p["username"]) for p in shift["periods"]] == [
        (start, ms(_utc(2026, 3, 8, 13)), "alice"),
        (ms(_utc(2026, 3, 8, 13)), ms(_utc(2026, 3, 15, 13)), "bob"),
        (ms(_utc(2026, 3, 15, 13)), ms(_utc(2026, 3, 22, 13)), "carol"),
    ]
    clock.advance(timedelta(days=7))
    shift = api.get(f"{V2}/{team}/rotations").json()["rotations"][0]["shifts"][0]
    assert (shift["current"]["start"], shift["current"]["username"]) == (
        "2026-03-08T09:00:00-04:00",
        "bob",
    )


def test_the_engines_view_of_a_rotation_applies_the_policys_override_and_take(
    api: TestClient, container: Container, org: Org
) -> None:
    """What the paging engine asks (schedules.service): who is on call in a rotation group
    at an instant, for a policy (after its override assignment and takes), and who is
    next/previous in the rotation."""
    team = _team(container, org, "alice", "bob", "carol", "dave", "erin")
    created = api.post(
        f"{V1}/{team}/rotations", json={"label": "Primary", "shifts": [_weekly_ny()]}
    ).json()
    group_id = created["id"]
    policy = make_policy(api, team, "Ops policy", [created["slug"]])
    now = container.clock.now()
    with container.sessions.transaction() as session:
        policy_id = session.scalars(
            select(EscalationPolicy.id).where(EscalationPolicy.slug == policy)
        ).one()

    def users(at: datetime, policy_id: int | None = None) -> list[str]:
        with container.sessions.transaction() as session:
            return schedules.oncall_users_at(session, org.org_id, group_id, at, policy_id=policy_id)

    assert users(now) == users(now, policy_id) == ["alice"]
    r = api.post(
        "/api-public/v1/overrides",
        json={
            "username": "alice",
            "timezone": "UTC",
            "start": "2026-01-05T11:00:00Z",
            "end": "2026-01-05T13:00:00Z",
        },
    )
    assert r.status_code == 200, r.text
    public_id = r.json()["schedule"]["publicId"]
    r = api.put(
        f"/api-public/v1/overrides/{public_id}/assignments/{policy}",
        json={"policy": policy, "username": "dave"},
    )
    assert r.status_code == 200, r.text
    assert users(now) == ["alice"]  # the rotation itself is unchanged
    assert users(now, policy_id) == ["dave"]
    assert users(now + timedelta(hours=1, minutes=1), policy_id) == ["alice"]  # override over
    r = api.patch(
        f"/api-public/v1/policies/{policy}/oncall/user", json={"fromUser": "dave", "toUser": "erin"}
    )
    assert r.status_code == 200, r.text
    assert users(now, policy_id) == ["erin"]
    with container.sessions.transaction() as session:
        assert schedules.adjacent_users_at(session, org.org_id, group_id, now, +1) == ["bob"]
        assert schedules.adjacent_users_at(session, org.org_id, group_id, now, -1) == ["carol"]
    other = make_org(container, name="Other", admin="olga")
    with container.sessions.transaction() as session, pytest.raises(NotFound) as caught:
        schedules.oncall_users_at(session, other.org_id, group_id, now)
    assert (caught.value.message, caught.value.field) == (
        f"Rotation group {group_id} not found",
        "rotationGroup",
    )


def test_v2_shift_whose_first_mask_is_unused_still_carries_a_mask(
    api: TestClient, container: Container, org: Org
) -> None:
    team = _team(container, org, "alice")
    weekend = {
        "label": "Weekend",
        "timezone": "Europe/Paris",
        "start": "2026-01-03",
        "duration": 7,
        "shifttype": "cstm",
        "mask2": {"day": {"sa": True, "su": True}, "time": []},
        "usernames": ["alice"],
    }
    r = api.post(f"{V1}/{team}/rotations", json={"label": "W", "shifts": [weekend]})
    assert r.status_code == 200, r.text
    shift = api.get(f"{V2}/{team}/rotations").json()["rotations"][0]["shifts"][0]
    midnight = {"hour": 0, "minute": 0}
    assert shift["mask"] == {
        "day": dict.fromkeys(WEEK, False),
        "time": [{"start": midnight, "end": midnight}],
    }
    assert shift["mask2"]["day"] == {k: k in ("sa", "su") for k in WEEK}
    assert "mask3" not in shift
    assert shift["start"] == "2026-01-02T23:00:00Z"
    # The exact format migration tooling parses (a literal Z, no offset).
    parsed = datetime.strptime(shift["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert parsed == datetime(2026, 1, 2, 23, tzinfo=UTC)
