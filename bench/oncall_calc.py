"""The pure on-call calculator alone: one team over 30 days (issue 3, aim < 5 ms).

    .venv/bin/python bench/oncall_calc.py                  # 2,000 runs, prints p50/p99
    .venv/bin/python bench/oncall_calc.py --runs 500 --json

The team: four rotation groups in four zones (a weekly 24/7 New York rotation of five, a daily
24/7 London rotation of four, a weekday 09:00-17:00 London partial-day shift, a Friday 17:00 →
Monday 09:00 multi-day shift in Sydney), two policies over them, ten scheduled overrides with
assignments and three takes. One run computes, for a 30-day window spanning the March DST
changes: every group's spans, both policies' spans after overrides and takes, their override
intervals, and every shift's next handoff — what a v2 team schedule needs.

"cold" clears the calculator's caches (zone contexts, local→UTC conversions) before each run,
as after a process start or an edit; "warm" keeps them, as in a steady server.
`measure()` is importable (bench/oncall.py reports it beside the HTTP figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from openoncall import timeutil
from openoncall.schedules import oncall
from openoncall.schedules.oncall import (
    GroupRules,
    ScheduledOverrideRule,
    ShiftKind,
    ShiftRule,
    TakeRule,
    group_spans,
    next_handoff,
    override_intervals,
    policy_spans,
    windows_from_masks,
)

WINDOW_START = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = timedelta(days=30)
NOW = datetime(2026, 3, 3, 12, tzinfo=UTC)


def _mask(days: dict[str, bool], start: int, end: int) -> dict[str, Any]:
    return {"day": days, "time": [{"start": {"hour": start}, "end": {"hour": end}}]}


def build_team() -> tuple[list[GroupRules], dict[int, list[int]], list[Any], list[TakeRule]]:
    """Groups, policy id → group ids, scheduled overrides, takes."""
    anchor = datetime(2026, 1, 5, 14, tzinfo=UTC)
    people = [f"user{i}" for i in range(16)]
    weekdays = {"m": True, "t": True, "w": True, "th": True, "f": True}
    groups = [
        GroupRules(
            1,
            "rtg-primary",
            "Primary",
            1,
            (
                ShiftRule(
                    1,
                    1,
                    "Weekly",
                    ShiftKind.STANDARD,
                    "America/New_York",
                    anchor,
                    7,
                    tuple(people[0:5]),
                ),
            ),
        ),
        GroupRules(
            2,
            "rtg-secondary",
            "Secondary",
            1,
            (
                ShiftRule(
                    2,
                    2,
                    "Daily",
                    ShiftKind.STANDARD,
                    "Europe/London",
                    anchor,
                    1,
                    tuple(people[5:9]),
                ),
            ),
        ),
        GroupRules(
            3,
            "rtg-office",
            "Office",
            1,
            (
                ShiftRule(
                    3,
                    3,
                    "Office",
                    ShiftKind.PARTIAL_DAY,
                    "Europe/London",
                    anchor,
                    7,
                    tuple(people[9:12]),
                    windows=windows_from_masks([_mask(weekdays, 9, 17)]),
                ),
            ),
        ),
        GroupRules(
            4,
            "rtg-weekend",
            "Weekend",
            1,
            (
                ShiftRule(
                    4,
                    4,
                    "Weekend",
                    ShiftKind.MULTI_DAY,
                    "Australia/Sydney",
                    anchor,
                    7,
                    tuple(people[12:16]),
                    windows=windows_from_masks(
                        [
                            _mask({"f": True}, 17, 0),
                            _mask({"sa": True, "su": True}, 0, 0),
                            _mask({"m": True}, 0, 9),
                        ]
                    ),
                ),
            ),
        ),
    ]
    policies = {100: [1, 3], 200: [2, 4]}
    overrides = [
        ScheduledOverrideRule(
            i,
            f"ovr-{i}",
            people[i % 16],
            WINDOW_START + timedelta(days=2 * i, hours=3),
            WINDOW_START + timedelta(days=2 * i + 1),
            ((100, people[(i + 3) % 16]), (200, None)),
        )
        for i in range(10)
    ]
    takes = [
        TakeRule(i, 100 if i % 2 else 200, people[i], people[i + 8], NOW, NOW + timedelta(days=2))
        for i in range(3)
    ]
    return groups, policies, overrides, takes


def run_once(
    groups: list[GroupRules],
    policies: dict[int, list[int]],
    overrides: list[Any],
    takes: list[TakeRule],
) -> int:
    """One team's 30-day schedule; returns the number of spans (so nothing is optimized away)."""
    start, end = WINDOW_START, WINDOW_START + WINDOW
    spans = {g.group_id: group_spans(g, start, end) for g in groups}
    total = 0
    for policy_id, group_ids in policies.items():
        mine = [t for t in takes if t.policy_id == policy_id]
        for group_id in group_ids:
            resolved = policy_spans(
                spans[group_id], policy_id=policy_id, overrides=overrides, takes=mine
            )
            total += len(resolved) + len(override_intervals(resolved, policy_id))
    for group in groups:
        for rule in group.shifts:
            total += next_handoff(rule, NOW) is not None
    return total


def _clear_caches() -> None:
    oncall._context.cache_clear()  # the benchmark measures a cold start too
    timeutil._local_to_utc.cache_clear()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 3)


def measure(runs: int = 2000) -> dict[str, Any]:
    """p50/p99/mean in milliseconds, cold and warm, for `runs` runs each."""
    team = build_team()
    result: dict[str, Any] = {"runs": runs, "days": WINDOW.days}
    for mode in ("cold", "warm"):
        timings: list[float] = []
        cpu: list[float] = []
        for _ in range(runs):
            if mode == "cold":
                _clear_caches()
            began, began_cpu = time.perf_counter(), time.thread_time()
            spans = run_once(*team)
            cpu.append((time.thread_time() - began_cpu) * 1000)
            timings.append((time.perf_counter() - began) * 1000)
        result[mode] = {
            "p50_ms": _pct(timings, 0.5),
            "p99_ms": _pct(timings, 0.99),
            "mean_ms": round(statistics.fmean(timings), 3),
            # CPU time of this thread: what the run costs, whatever else the machine runs.
            "cpu_p50_ms": _pct(cpu, 0.5),
            "cpu_p99_ms": _pct(cpu, 0.99),
            "spans": spans,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    result = measure(args.runs)
    if args.json:
        print(json.dumps(result))
        return
    print(f"pure calculator, one team (4 groups, 2 policies), {result['days']} days:")
    for mode in ("cold", "warm"):
        r = result[mode]
        print(
            f"  {mode:4}: wall p50 {r['p50_ms']:.3f} ms  p99 {r['p99_ms']:.3f} ms  "
            f"mean {r['mean_ms']:.3f} ms | cpu p50 {r['cpu_p50_ms']:.3f} ms  "
            f"p99 {r['cpu_p99_ms']:.3f} ms  ({r['spans']} spans+intervals)"
        )


if __name__ == "__main__":
    main()
