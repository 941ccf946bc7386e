"""Pure readings of a policy's on-call picture shared by on-call now, take on-call, schedules,
the on-call log and the calendar feed, so that all of them agree by construction.

Who is "on call for a policy": the people its `rotation_group` entries point at, in any step,
after scheduled overrides and takes. Entries that name a user directly are paged, not on call;
`rotation_group_next`/`_previous` entries name the neighbours of whoever is on call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from openoncall.policies.models import ExecutionType
from openoncall.schedules.oncall import PolicySpan
from openoncall.schedules.service import EntryOnCall, PolicyOnCall


def rotation_entries(poc: PolicyOnCall, step: int | None = None) -> list[EntryOnCall]:
    """The policy's rotation_group entries, of one step (by position) or of all steps."""
    return [
        entry
        for s in poc.steps
        if step is None or s.position == step
        for entry in s.entries
        if entry.execution_type == ExecutionType.ROTATION_GROUP and entry.group is not None
    ]


def current_spans(poc: PolicyOnCall) -> list[PolicySpan]:
    """The spans containing `poc.now` (unclipped), after overrides and takes."""
    return [span for entry in rotation_entries(poc) for span in entry.current]


def users_now(poc: PolicyOnCall) -> list[str]:
    """Who is on call for the policy at `poc.now`, in step/entry/shift order, deduplicated."""
    found: list[str] = []
    for span in current_spans(poc):
        if span.username not in found:
            found.append(span.username)
    return found


def period_end_now(poc: PolicyOnCall, username: str) -> datetime | None:
    """When `username`'s current on-call period for the policy ends (latest if several)."""
    ends = [s.end for s in current_spans(poc) if s.username == username]
    return max(ends) if ends else None


def final_spans(poc: PolicyOnCall) -> list[PolicySpan]:
    """Every on-call span of the policy in its window after overrides and takes, by start.

    The same person in two entries (or two shifts) at once is listed once per span.
    """
    spans = [span for entry in rotation_entries(poc) for span in entry.spans]
    spans.sort(key=lambda s: (s.start, s.end, s.username))
    return spans


def scheduled_rolls(spans: Iterable[PolicySpan]) -> list[PolicySpan]:
    """The rotation as scheduled, before overrides: override pieces of one span glued back.

    The calculator splits a span where an override starts or ends; pieces of the same shift
    and the same scheduled person that meet end to start are one rotation span again.
    """
    rolls: list[PolicySpan] = []
    last_of_shift: dict[int | None, int] = {}
    for span in sorted(spans, key=lambda s: (s.start, s.shift_id or 0)):
        plain = replace(span, username=span.scheduled_username, override=None, override_ref=None)
        index = last_of_shift.get(plain.shift_id)
        last = rolls[index] if index is not None else None
        if (
            index is not None
            and last is not None
            and last.end == plain.start
            and last.scheduled_username == plain.scheduled_username
            and not plain.is_roll
        ):
            rolls[index] = replace(last, end=plain.end)
        else:
            last_of_shift[plain.shift_id] = len(rolls)
            rolls.append(plain)
    return rolls


def next_change(pocs: Iterable[PolicyOnCall], now: datetime) -> datetime | None:
    """The first instant after `now` at which anyone's on-call in these policies starts or
    ends (a handoff, an override or take boundary), within their windows."""
    candidates = [
        edge
        for poc in pocs
        for entry in rotation_entries(poc)
        for span in entry.spans
        for edge in (span.start, span.end)
        if edge > now and edge < poc.end
    ]
    return min(candidates) if candidates else None


def union(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching intervals merged, in time order."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def user_intervals(spans: Iterable[PolicySpan]) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each user's continuous on-call intervals in these spans (one policy's), by username:
    back-to-back spans of one person (a handoff to themselves, an override piece) are one."""
    by_user: dict[str, list[tuple[datetime, datetime]]] = {}
    for span in spans:
        by_user.setdefault(span.username, []).append((span.start, span.end))
    return {user: union(found) for user, found in sorted(by_user.items())}
