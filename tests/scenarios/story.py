"""The time-travel harness: a user's story told through the public API, with a frozen clock.

A scenario sets everything up the way a Splunk On-Call user or Terraform would (users,
contact methods, teams, rotations, escalation policies, routing keys, overrides), sends alerts
to the REST endpoint, moves time and asserts who was paged, on which channel, at which minute:

    story.alert("db")
    story.advance(minutes=20)
    assert story.pages() == [(0, "alice", "email"), (15, "bob", "email")]

Pages are what real servers received: email by aiosmtpd, SMS, voice calls, pushes and webhooks
by one local HTTP server. A page's minute counts from `story.zero` (the first alert, unless set).
Time moves from one due job to the next, never by sleeping; the engine runs at each of them.

At the stops of the clock `advance` also checks that every view of "who is on call" agrees
(`tests.scenarios.agreement` says at which), so each scenario proves that too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx
from fastapi.testclient import TestClient

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.engine import queue
from openoncall.engine.worker import Engine
from tests.conftest import Org
from tests.engine.servers import HttpStub, SmtpSink
from tests.web.conftest import sign_in

ALERT_PATH = "/integrations/generic/20131114/alert"
_NOT_SET_UP = (ALERT_PATH, "/api-public/v1/incidents")
INVITATION_SUBJECT = "Set your OpenOnCall password"
Page = tuple[int, str, str]  # (minute, who, channel)
Entry = dict[str, Any]


# ---- escalation entries, in the vendor's shapes ----------------------------------------------


def rotation(slug: str) -> Entry:
    return {"executionType": "rotation_group", "rotationGroup": {"slug": slug}}


def next_in(slug: str) -> Entry:
    return {"executionType": "rotation_group_next", "rotationGroup": {"slug": slug}}


def previous_in(slug: str) -> Entry:
    return {"executionType": "rotation_group_previous", "rotationGroup": {"slug": slug}}


def user(username: str) -> Entry:
    return {"executionType": "user", "user": {"username": username}}


def email(address: str) -> Entry:
    return {"executionType": "email", "email": {"address": address}}


def webhook(slug: str) -> Entry:
    return {"executionType": "webhook", "webhook": {"slug": slug}}


def policy_routing(slug: str) -> Entry:
    return {"executionType": "policy_routing", "targetPolicy": {"policySlug": slug}}


def step(timeout: int, *entries: Entry) -> dict[str, Any]:
    """A policy step: `timeout` is the wait in minutes before it runs (0: at once)."""
    return {"timeout": timeout, "entries": list(entries)}


def every_day(start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    """A partial-day mask: every day from `start` to `end` (hour, minute), local time."""
    return days(["m", "t", "w", "th", "f", "sa", "su"], start, end)


def days(which: Iterable[str], start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    chosen = set(which)
    return {
        "day": {d: d in chosen for d in ("m", "t", "w", "th", "f", "sa", "su")},
        "time": [
            {
                "start": {"hour": start[0], "minute": start[1]},
                "end": {"hour": end[0], "minute": end[1]},
            }
        ],
    }


# ---- the story ---------------------------------------------------------------------------------


@dataclass
class Story:
    api: TestClient
    web: TestClient
    org: Org
    container: Container
    clock: FrozenClock
    engine: Engine
    smtp: SmtpSink
    http: HttpStub
    csrf: str = ""
    # Run at every stop of the clock; the agreement check in the scenarios' conftest.
    check: Callable[[Story], None] = lambda _story: None
    # Changes made to the set-up through the clients: every request but a read, an alert or
    # an incident command (those change no one's on-call).
    changes: int = 0
    zero: datetime | None = None
    _who: dict[str, str] = field(default_factory=dict)
    _pages: list[Page] = field(default_factory=list)
    _seen_mail: int = 0
    _seen_http: int = 0
    incidents: int = 0
    teams: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    feeds: dict[str, str] = field(default_factory=dict)  # team slug -> iCal feed path

    def __post_init__(self) -> None:
        for client in (self.api, self.web):
            client.event_hooks["request"].append(self._count_change)

    def _count_change(self, request: httpx.Request) -> None:
        if request.method != "GET" and not request.url.path.startswith(_NOT_SET_UP):
            self.changes += 1

    # ---- time ------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def start_at(self, at: datetime) -> None:
        """Put the clock at `at` before anything is set up (DST and handoff stories), and sign
        in to the web UI again: the session signed in at T0 would not be valid then."""
        self.clock.set(at)
        self.csrf = sign_in(self.web, self.org.boot.admin_username)

    def minute(self) -> int:
        zero = self.zero or self.now
        return int((self.now - zero).total_seconds() // 60)

    def advance(
        self, delta: timedelta | None = None, *, until: datetime | None = None, **kw: float
    ) -> None:
        """Move the clock forward, running the engine at every due job on the way and at the
        end; record what reached the servers, and check the on-call views agree."""
        target = until if until is not None else self.now + (delta or timedelta(**kw))
        assert target >= self.now, "time only moves forward"
        self._run()
        while True:
            with self.container.sessions.transaction(write=False) as session:
                wake = queue.next_wake_at(session, now=self.now)
            if wake is None or wake > target:
                break
            self.clock.set(max(wake, self.now))
            self._run()
        self.clock.set(target)
        self._run()
        self.check(self)

    def engine_down(self, **kw: float) -> None:
        """The engine is down for a while: the clock moves, nothing runs."""
        self.clock.advance(timedelta(**kw))

    def _run(self) -> None:
        self.engine.run_once()
        self._collect()

    # ---- what was paged --------------------------------------------------------------------

    def _collect(self) -> None:
        minute = self.minute()
        mails = self.smtp.items[self._seen_mail :]
        self._seen_mail += len(mails)
        for mail in mails:
            if mail.subject == INVITATION_SUBJECT:
                continue
            for to in mail.to:
                self._pages.append((minute, self._who.get(to, to), "email"))
        requests = self.http.requests()[self._seen_http :]
        self._seen_http += len(requests)
        for request in requests:
            self._pages.append((minute, *self._classify(request.path, request.form())))

    def _classify(self, path: str, form: dict[str, str]) -> tuple[str, str]:
        if path.endswith("/Messages.json"):
            return self._who.get(form["To"], form["To"]), "sms"
        if path.endswith("/Calls.json"):
            return self._who.get(form["To"], form["To"]), "phone"
        if path.startswith("/push/"):
            topic = unquote(path.removeprefix("/push/"))
            return self._who.get(topic, topic), "push"
        if path.startswith("/hooks/"):
            return path.removeprefix("/hooks/"), "webhook"
        raise AssertionError(f"unexpected request to {path}")

    def pages(self) -> list[Page]:
        """Every page so far, in the order the servers received them within a minute."""
        return sorted(self._pages, key=lambda p: p[0])

    def emailed(self) -> dict[str, list[int]]:
        """The minutes at which each person was emailed, when every page so far was an email
        (asserted): the pages in any order within a minute, told person by person."""
        pages = self.pages()
        assert all(channel == "email" for _, _, channel in pages), pages
        found: dict[str, list[int]] = {}
        for minute, who, _ in sorted(pages):
            found.setdefault(who, []).append(minute)
        return found

    def new_pages(self) -> list[Page]:
        """The pages since the last call of new_pages (or the start), then forgets them."""
        found = self.pages()
        self._pages.clear()
        return found

    # ---- set-up through the public API -----------------------------------------------------

    def _ok(self, response: Any) -> Any:
        assert response.status_code == 200, f"{response.request.url}: {response.text}"
        return response.json()

    def user(self, username: str, *, phone: str | None = None, device: bool = False) -> str:
        """A user (emailed at <username>@example.com by default), optionally with a phone and
        a push device; returns the username."""
        self._ok(
            self.api.post(
                "/api-public/v1/user",
                json={
                    "firstName": username.capitalize(),
                    "lastName": "Tester",
                    "username": username,
                    "email": f"{username}@example.com",
                },
            )
        )
        self._who[f"{username}@example.com"] = username
        self.usernames.append(username)
        if phone is not None:
            self.phone(username, phone)
        if device:
            topic = f"oncall-{username}"
            self._ok(
                self.api.post(
                    f"/api-ext/v1/user/{username}/devices",
                    json={"label": "Phone", "topic": topic},
                )
            )
            self._who[topic] = username
        return username

    def phone(self, username: str, number: str) -> int:
        body = self._ok(
            self.api.post(
                f"/api-public/v1/user/{username}/contact-methods/phones",
                json={"label": "Mobile", "phone": number},
            )
        )
        self._who[number] = username
        contact_id: int = body["id"]
        return contact_id

    def team(self, name: str, members: Iterable[str] = ()) -> str:
        slug: str = self._ok(self.api.post("/api-public/v1/team", json={"name": name}))["slug"]
        for member in members:
            self._ok(
                self.api.post(f"/api-public/v1/team/{slug}/members", json={"username": member})
            )
        self.teams.append(slug)
        return slug

    def rotation(
        self,
        team: str,
        label: str,
        members: list[str],
        *,
        start: str | datetime | None = None,
        timezone: str = "UTC",
        days: int = 7,
        shifttype: str = "std",
        mask: dict[str, Any] | None = None,
        mask2: dict[str, Any] | None = None,
        mask3: dict[str, Any] | None = None,
        shifts: list[dict[str, Any]] | None = None,
    ) -> str:
        """A rotation group with one shift (or the given `shifts`): `members` hand off every
        `days` days at `start` (an ISO local wall time in `timezone`; default: now)."""
        if shifts is None:
            shift: dict[str, Any] = {
                "label": label,
                "timezone": timezone,
                "duration": days,
                "shifttype": shifttype,
                "usernames": members,
            }
            if start is not None:
                shift["start"] = start.isoformat() if isinstance(start, datetime) else start
            for key, value in (("mask", mask), ("mask2", mask2), ("mask3", mask3)):
                if value is not None:
                    shift[key] = value
            shifts = [shift]
        body = self._ok(
            self.api.post(
                f"/api-public/v1/teams/{team}/rotations", json={"label": label, "shifts": shifts}
            )
        )
        slug: str = body["slug"]
        return slug

    def policy(
        self,
        team: str,
        name: str,
        steps: list[dict[str, Any]],
        *,
        ignore_custom_paging_policies: bool = False,
    ) -> str:
        body: dict[str, Any] = {
            "name": name,
            "teamSlug": team,
            "steps": steps,
            "ignoreCustomPagingPolicies": ignore_custom_paging_policies,
        }
        slug: str = self._ok(self.api.post("/api-public/v1/policies", json=body))["slug"]
        return slug

    def routing_key(self, key: str, policies: list[str]) -> None:
        self._ok(
            self.api.post(
                "/api-public/v1/org/routing-keys", json={"routingKey": key, "targets": policies}
            )
        )

    def webhook(self, name: str) -> str:
        """An outgoing webhook to the local HTTP server at /hooks/<name>, made in the web UI
        as an admin does (the vendor API only lists them); returns its slug."""
        r = self.web.post(
            "/webhooks",
            data={"label": name, "url": f"{self.http.url}/hooks/{name}", "csrf_token": self.csrf},
        )
        assert r.status_code == 201, r.text
        hooks = self._ok(self.api.get("/api-public/v1/webhooks"))["webHooks"]
        slug: str = next(h["slug"] for h in hooks if h["label"] == name)
        return slug

    # ---- what people do --------------------------------------------------------------------

    def alert(self, routing_key: str, **fields: Any) -> dict[str, Any]:
        """An alert to the REST endpoint; the first one sets minute 0."""
        if self.zero is None:
            self.zero = self.now
        body: dict[str, Any] = {
            "message_type": "CRITICAL",
            "entity_id": "disk-full",
            "state_message": "Disk full",
        }
        body.update(fields)
        result: dict[str, Any] = self._ok(
            self.api.post(
                f"{ALERT_PATH}/{self.org.boot.rest_endpoint_key}/{routing_key}", json=body
            )
        )
        return result

    def ack(self, number: int, by: str) -> None:
        self._incident_command("ack", number, by)

    def resolve(self, number: int, by: str) -> None:
        self._incident_command("resolve", number, by)

    def _incident_command(self, verb: str, number: int, by: str) -> None:
        body = self._ok(
            self.api.patch(
                f"/api-public/v1/incidents/{verb}",
                json={"userName": by, "incidentNames": [str(number)], "message": f"{verb} by {by}"},
            )
        )
        assert all(r["cmdAccepted"] for r in body["results"]), body

    def reroute(self, number: int, by: str, targets: list[dict[str, str]]) -> None:
        body = self._ok(
            self.api.post(
                "/api-public/v1/incidents/reroute",
                json={
                    "userName": by,
                    "reroutes": [{"incidentNumber": str(number), "targets": targets}],
                },
            )
        )
        assert body, body

    def incident(self, number: int) -> dict[str, Any]:
        result: dict[str, Any] = self._ok(self.api.get(f"/api-public/v1/incidents/{number}"))
        return result

    def take(self, policy: str, from_user: str, to_user: str) -> None:
        self._ok(
            self.api.patch(
                f"/api-public/v1/policies/{policy}/oncall/user",
                json={"fromUser": from_user, "toUser": to_user},
            )
        )
