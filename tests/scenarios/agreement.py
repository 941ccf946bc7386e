"""Every view of "who is on call" gives one answer, wherever it may change in every story.

Per escalation policy, the set of people on call now (its rotation_group entries, after
scheduled overrides and takes) as told by:
- `GET /api-public/v1/oncall/current`;
- `GET /api-public/v2/team/{team}/oncall/schedule`, for every step of the policy;
- `GET /api-public/v2/user/{user}/oncall/schedule`, for every user;
- the web UI's on-call page;
- the team's iCal feed (the events that hold now);
- the engine's calculator, as a rotation_group entry would page now;
- take on-call: a take from someone on call is accepted, from anyone else refused.

All of them are asked at the first stop of a story's clock, at the first stop after any
change to its set-up, and at every stop where /v1/oncall/current or the engine's calculator
answers otherwise than at the last full check. At the other stops those two are asked alone:
the set-up is the same and so is the answer, and asking every view there again (a dozen
requests) made the suite several times slower without reaching a new answer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from openoncall.errors import OnCallError
from openoncall.escalation.service import CalculatorView
from openoncall.overrides.service import take_oncall
from openoncall.policies.models import EscalationPolicy
from openoncall.rotations.models import RotationGroup

if TYPE_CHECKING:
    from tests.scenarios.story import Story

OnCall = dict[str, set[str]]  # policy slug -> usernames on call now

_POLICY_BLOCK = re.compile(r'<div class="policy" id="policy-([^"]+)">(.*?)</div>', re.S)
_PERSON = re.compile(r'<a href="/people/([^"]+)">')


Answer = frozenset[tuple[str, frozenset[str]]]  # an OnCall, comparable


@dataclass
class Agreement:
    """The check a story runs at each stop of its clock (see above for when it asks all)."""

    _last: tuple[int, Answer, Answer] | None = None
    _policies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, story: Story) -> None:
        changed = self._last is None or self._last[0] != story.changes
        if not changed:
            quick = (story.changes, *self._quick(story))
            if quick == self._last:
                return
            # A policy made behind the API's back (the CLI) shows here first.
            changed = not {slug for slug, _ in quick[1]} <= self._policies.keys()
        if changed:
            self._policies = _policies(story)  # only a change to the set-up changes them
        views = check_agreement(story, self._policies)
        # The count is taken after the check, whose own requests (an iCal feed) change nothing.
        self._last = (story.changes, _answer(views[CURRENT]), _answer(views[ENGINE]))

    def _quick(self, story: Story) -> tuple[Answer, Answer]:
        return _answer(_oncall_current(story)), _answer(_engine(story, self._policies))


def _answer(view: OnCall) -> Answer:
    return frozenset((slug, frozenset(names)) for slug, names in view.items() if names)


CURRENT, ENGINE = "/v1/oncall/current", "the engine's calculator"


def check_agreement(story: Story, policies: dict[str, dict[str, Any]]) -> dict[str, OnCall]:
    """Every view agrees with /v1/oncall/current on each of `policies`, now; returns them."""
    views: dict[str, OnCall] = {
        CURRENT: _oncall_current(story),
        ENGINE: _engine(story, policies),
    }
    if not policies:
        return views
    views |= {
        "v2 team schedules": _team_schedules(story, policies),
        "the web on-call page": _web_page(story),
        "the iCal team feeds": _ical(story),
    }
    views["take on-call"] = _takes(story, policies, views)
    users = set(story.usernames)
    pairs = {(p, u) for p, names in views[CURRENT].items() for u in names}
    assert _user_schedules(story, policies) == {(p, u) for p, u in pairs if u in users}, (
        f"v2 user schedules disagree with /v1/oncall/current at {story.now}"
    )
    expected = {slug: views[CURRENT].get(slug, set()) for slug in policies}
    for name, view in views.items():
        got = {slug: view.get(slug, set()) for slug in policies}
        assert got == expected, f"{name} says {got}, /v1/oncall/current {expected} at {story.now}"
    return views


def _policies(story: Story) -> dict[str, dict[str, Any]]:
    """Every policy of the organization, by slug, with its steps and team."""
    found: dict[str, dict[str, Any]] = {}
    for item in story.api.get("/api-public/v1/policies").json()["policies"]:
        slug = item["policy"]["slug"]
        found[slug] = story.api.get(f"/api-public/v1/policies/{slug}").json()
    return found


def _oncall_current(story: Story) -> OnCall:
    body = story.api.get("/api-public/v1/oncall/current").json()
    return {
        p["escalationPolicy"]["slug"]: {u["onCalluser"]["username"] for u in p["users"]}
        for team in body["teamsOnCall"]
        for p in team["oncallNow"]
    }


def _now_in(entry: dict[str, Any]) -> str | None:
    """Who a v2 schedule entry says is on call now: the override, else the scheduled user."""
    user = entry.get("overrideOnCallUser") or entry.get("onCallUser")
    return user["username"] if user else None


def _rotation_steps(policies: dict[str, dict[str, Any]], team: str | None = None) -> list[int]:
    """The step positions that page a rotation, in the team's policies (or in any)."""
    return sorted(
        {
            i
            for p in policies.values()
            if team is None or p["teamSlug"] == team
            for i, step in enumerate(p["steps"])
            if any(e["executionType"] == "rotation_group" for e in step["entries"])
        }
    )


def _team_schedules(story: Story, policies: dict[str, dict[str, Any]]) -> OnCall:
    found: OnCall = defaultdict(set)
    teams = {p["teamSlug"] for p in policies.values()}
    for team in teams:
        for position in _rotation_steps(policies, team):
            body = story.api.get(
                f"/api-public/v2/team/{team}/oncall/schedule", params={"step": position}
            ).json()
            for schedule in body["schedules"]:
                slug = schedule["policy"]["slug"]
                for entry in schedule["schedule"]:
                    name = _now_in(entry) if entry["onCallType"] == "rotation_group" else None
                    if name is not None:
                        found[slug].add(name)
    return found


def _user_schedules(story: Story, policies: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    positions = _rotation_steps(policies)
    for username in story.usernames:
        for position in positions:
            body = story.api.get(
                f"/api-public/v2/user/{username}/oncall/schedule", params={"step": position}
            ).json()
            for team in body["teamSchedules"]:
                for schedule in team["schedules"]:
                    for entry in schedule["schedule"]:
                        if entry["onCallType"] == "rotation_group" and _now_in(entry) == username:
                            found.add((schedule["policy"]["slug"], username))
    return found


def _web_page(story: Story) -> OnCall:
    page = story.web.get("/oncall")
    assert page.status_code == 200, page.text
    return {slug: set(_PERSON.findall(block)) for slug, block in _POLICY_BLOCK.findall(page.text)}


def _ical(story: Story) -> OnCall:
    found: OnCall = defaultdict(set)
    for team in story.teams:
        path = story.feeds.get(team)
        if path is None:
            path = story.api.post(f"/api-ext/v1/calendar/team/{team}").json()["path"]
            story.feeds[team] = path
        feed = story.web.get(path)
        assert feed.status_code == 200, feed.text
        for event in Calendar.from_ical(feed.content).walk("VEVENT"):
            start: datetime = event.decoded("dtstart")
            end: datetime = event.decoded("dtend")
            if start <= story.now < end:
                slug, username = str(event["uid"]).removesuffix("@openoncall").split(".")[:2]
                found[slug].add(username)
    return found


def _engine(story: Story, policies: dict[str, dict[str, Any]]) -> OnCall:
    found: OnCall = defaultdict(set)
    with story.container.sessions.transaction(write=False) as session:
        for slug, body in policies.items():
            policy_id = _policy_id(session, story, slug)
            view = CalculatorView(session, story.org.org_id, policy_id, story.now)
            for step in body["steps"]:
                for entry in step["entries"]:
                    if entry["executionType"] == "rotation_group":
                        group_id = session.scalars(
                            select(RotationGroup.id).where(
                                RotationGroup.org_id == story.org.org_id,
                                RotationGroup.slug == entry["rotationGroup"]["slug"],
                            )
                        ).one()
                        found[slug].update(view.oncall(group_id))
    return found


def _takes(story: Story, policies: dict[str, dict[str, Any]], views: dict[str, OnCall]) -> OnCall:
    """Tries a take from everyone some view says is on call, and from one person none does,
    each in a transaction that is rolled back."""
    found: OnCall = defaultdict(set)
    taker = story.org.boot.admin_username
    named = {u for view in views.values() for names in view.values() for u in names}
    others = [u for u in story.usernames if u not in named][:1]
    for slug in policies:
        for username in [u for u in story.usernames if u in named] + others:
            with story.container.sessions.write() as session:
                try:
                    take_oncall(
                        session,
                        story.org.org_id,
                        policy_slug=slug,
                        from_username=username,
                        to_username=taker,
                        actor=taker,
                        now=story.now,
                    )
                except OnCallError:
                    pass
                else:
                    found[slug].add(username)
                finally:
                    session.rollback()
    return found


def _policy_id(session: Session, story: Story, slug: str) -> int:
    return session.scalars(
        select(EscalationPolicy.id).where(
            EscalationPolicy.org_id == story.org.org_id, EscalationPolicy.slug == slug
        )
    ).one()
