"""The pure escalation planner: which steps run when, whom they page, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openoncall.escalation import planner
from openoncall.escalation.snapshot import EntrySnapshot, PolicySnapshot, StepSnapshot

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass
class View:
    """A fixed on-call picture: group id → on call, and its neighbours."""

    oncall_by_group: dict[int, list[str]] = field(default_factory=dict)
    next_by_group: dict[int, list[str]] = field(default_factory=dict)
    previous_by_group: dict[int, list[str]] = field(default_factory=dict)
    members_by_team: dict[int, list[str]] = field(default_factory=dict)

    def oncall(self, group_id: int) -> Sequence[str]:
        return self.oncall_by_group.get(group_id, [])

    def adjacent(self, group_id: int, step: int) -> Sequence[str]:
        table = self.next_by_group if step > 0 else self.previous_by_group
        return table.get(group_id, [])

    def team_members(self, team_id: int) -> Sequence[str]:
        return self.members_by_team.get(team_id, [])


def rotation(position: int, group: int, kind: str = planner.ROTATION_GROUP) -> EntrySnapshot:
    return EntrySnapshot(
        execution_type=kind,
        position=position,
        rotation_group_id=group,
        rotation_group_label=f"G{group}",
    )


def user(position: int, username: str) -> EntrySnapshot:
    return EntrySnapshot(execution_type=planner.USER, position=position, username=username)


def policy(*steps: tuple[int, tuple[EntrySnapshot, ...]]) -> PolicySnapshot:
    return PolicySnapshot(
        policy_id=1,
        slug="pol-1",
        name="Ops",
        ignore_custom_paging_policies=False,
        steps=tuple(StepSnapshot(timeout_minutes=t, entries=e) for t, e in steps),
    )


def test_first_step_pages_the_oncall_user_at_once_and_schedules_the_second() -> None:
    # The vendor's `timeout` is the wait before a step: step 2 runs 5 min after step 1.
    snap = policy((0, (rotation(0, 7),)), (5, (rotation(0, 7, planner.ROTATION_GROUP_NEXT),)))
    view = View(oncall_by_group={7: ["alice"]}, next_by_group={7: ["bob"]})
    advance = planner.plan_next_pages(snap, planner.start(snap, T0), view, T0)
    assert advance == planner.Advance(
        pages=(
            planner.Page(
                step_index=0,
                entry_position=0,
                execution_type="rotation_group",
                reason="Step 1 of policy Ops: on call in rotation G7",
                username="alice",
            ),
        ),
        notices=(),
        steps_run=(0,),
        next_step_index=1,
        next_due_at=T0 + timedelta(minutes=5),
    )
    later = planner.plan_next_pages(
        snap, planner.Progress(1, advance.next_due_at), view, T0 + timedelta(minutes=5)
    )
    assert [(p.username, p.reason) for p in later.pages] == [
        ("bob", "Step 2 of policy Ops (unacknowledged after 5 min): next in rotation G7")
    ]
    assert later.done


def test_nothing_runs_before_the_timeout() -> None:
    snap = policy((0, (user(0, "alice"),)), (5, (user(0, "bob"),)))
    progress = planner.Progress(1, T0 + timedelta(minutes=5))
    advance = planner.plan_next_pages(snap, progress, View(), T0 + timedelta(minutes=4))
    assert advance.pages == ()
    assert advance.next_due_at == T0 + timedelta(minutes=5)
    assert not advance.done


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            EntrySnapshot(execution_type="email", position=0, email="noc@example.com"),
            {"email": "noc@example.com", "reason": "Step 1 of policy Ops: email entry"},
        ),
        (
            EntrySnapshot(execution_type="webhook", position=0, webhook_slug="whk-1"),
            {"webhook_slug": "whk-1", "reason": "Step 1 of policy Ops: webhook entry"},
        ),
        (
            EntrySnapshot(
                execution_type="policy_routing",
                position=0,
                target_policy_id=9,
                target_policy_slug="pol-9",
            ),
            {
                "target_policy_id": 9,
                "target_policy_slug": "pol-9",
                "reason": "Step 1 of policy Ops: continue in policy pol-9",
            },
        ),
        (
            rotation(0, 3, planner.ROTATION_GROUP_PREVIOUS),
            {"username": "zoe", "reason": "Step 1 of policy Ops: previous in rotation G3"},
        ),
    ],
    ids=["email", "webhook", "policy-routing", "previous-in-rotation"],
)
def test_each_entry_type_pages_its_target(
    entry: EntrySnapshot, expected: dict[str, object]
) -> None:
    view = View(previous_by_group={3: ["zoe"]})
    snap = policy((0, (entry,)))
    (page,) = planner.plan_next_pages(snap, planner.start(snap, T0), view, T0).pages
    got = {k: getattr(page, k) for k in expected}
    assert got == expected


def test_an_empty_rotation_is_noted_not_paged_and_a_user_is_paged_once_per_step() -> None:
    snap = policy((0, (rotation(0, 1), user(1, "alice"), rotation(2, 2))))
    view = View(oncall_by_group={2: ["alice"]})
    advance = planner.plan_next_pages(snap, planner.start(snap, T0), view, T0)
    assert [p.username for p in advance.pages] == ["alice"]
    assert advance.notices == ("Step 1 of policy Ops: on call in rotation G1: nobody to page",)


def test_a_team_page_entry_pages_every_member_once_and_notes_an_empty_team() -> None:
    team = EntrySnapshot(execution_type=planner.TEAM_PAGE, position=1, team_id=3, team_name="Ops")
    empty = EntrySnapshot(execution_type=planner.TEAM_PAGE, position=2, team_id=4, team_name="Web")
    snap = policy((0, (user(0, "bob"), team, empty)))
    view = View(members_by_team={3: ["alice", "bob", "carol"]})
    advance = planner.plan_next_pages(snap, planner.start(snap, T0), view, T0)
    assert [(p.username, p.execution_type, p.reason) for p in advance.pages] == [
        ("bob", "user", "Step 1 of policy Ops: named in the policy"),
        ("alice", "team_page", "Step 1 of policy Ops: member of team Ops"),
        ("carol", "team_page", "Step 1 of policy Ops: member of team Ops"),
    ]
    assert advance.notices == ("Step 1 of policy Ops: member of team Web: nobody to page",)


def test_a_first_step_with_a_timeout_waits_for_it() -> None:
    snap = policy((10, (user(0, "alice"),)))
    progress = planner.start(snap, T0)
    assert progress == planner.Progress(0, T0 + timedelta(minutes=10))
    early = planner.plan_next_pages(snap, progress, View(), T0 + timedelta(minutes=9))
    assert early.pages == ()
    (page,) = planner.plan_next_pages(snap, progress, View(), T0 + timedelta(minutes=10)).pages
    assert page.reason == "Step 1 of policy Ops (after a 10 min delay): named in the policy"


def test_a_policy_without_steps_is_done_at_once() -> None:
    snap = policy()
    assert planner.plan_next_pages(snap, planner.start(snap, T0), View(), T0).done


def test_a_late_engine_catches_up_on_every_step_that_fell_due() -> None:
    snap = policy((0, (user(0, "a"),)), (1, (user(0, "b"),)), (2, (user(0, "c"),)))
    advance = planner.plan_next_pages(
        snap, planner.start(snap, T0), View(), T0 + timedelta(minutes=3, seconds=1)
    )
    assert [p.username for p in advance.pages] == ["a", "b", "c"]
    assert advance.steps_run == (0, 1, 2)
    assert advance.done


TIMEOUTS = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=5)
OFFSETS = st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(timeouts=TIMEOUTS, checks=OFFSETS)
def test_planning_in_one_jump_or_many_small_ones_pages_the_same_people(
    timeouts: list[int], checks: list[int]
) -> None:
    snap = policy(*((t, (user(0, f"u{i}"),)) for i, t in enumerate(timeouts)))
    end = T0 + timedelta(minutes=max(checks))
    jump = planner.plan_next_pages(snap, planner.start(snap, T0), View(), end)

    progress = planner.start(snap, T0)
    pages: list[planner.Page] = []
    for minutes in sorted(checks):
        step = planner.plan_next_pages(snap, progress, View(), T0 + timedelta(minutes=minutes))
        pages.extend(step.pages)
        progress = planner.Progress(step.next_step_index, step.next_due_at)
    assert tuple(pages) == jump.pages
    assert progress == planner.Progress(jump.next_step_index, jump.next_due_at)
