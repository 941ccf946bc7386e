"""Escalation scenarios in-process: alert → step 1 at once → step 2 after the timeout → ack stops.

The clock is a FrozenClock; `worker.run_once()` runs whatever is due at its time.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.engine.worker import Engine
from openoncall.notify.channel import Medium
from tests.conftest import Org
from tests.engine.channels import Outbox
from tests.engine.conftest import (
    add_policy,
    add_routing_key,
    add_team,
    add_user,
    deliveries,
    post_alert,
    timeline,
    user_entry,
)


def _two_step_policy(api: TestClient, timeout: int = 5) -> str:
    add_user(api, "alice")
    add_user(api, "bob")
    team = add_team(api)
    policy = add_policy(
        api,
        team,
        [
            # The vendor's `timeout` is the wait before a step: bob after `timeout` minutes.
            {"timeout": 0, "entries": [user_entry("alice")]},
            {"timeout": timeout, "entries": [user_entry("bob")]},
        ],
    )
    add_routing_key(api, "db", [policy])
    return policy


def test_second_step_pages_when_first_step_times_out(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    _two_step_policy(api, timeout=3)
    post_alert(api, org, "db", alert_id="A-17")

    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]
    first = outbox.sent[0]
    assert first.subject == "[OpenOnCall] Incident #1: disk-full"
    assert "alert_id: A-17" in first.body
    assert first.data["alert_id"] == "A-17"

    clock.advance(minutes=2, seconds=59)
    assert worker.run_once() == 0
    clock.advance(seconds=1)
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com", "bob@example.com"]
    # alice's own (default) policy repeats its last step after 5 minutes: "call until reached"
    clock.advance(minutes=2)
    worker.run_once()
    assert deliveries(container, org) == [
        ("email", "alice@example.com", "sent", 1),
        ("email", "bob@example.com", "sent", 1),
        ("email", "alice@example.com", "sent", 1),
    ]
    assert timeline(container, org, 1) == [
        "alert: Disk full",
        "transition: disk-full",
        "page: Paging alice: Step 1 of policy Ops: named in the policy",
        "delivery: Email sent to alice@example.com",
        "page: Paging bob: Step 2 of policy Ops (unacknowledged after 3 min): named in the policy",
        "delivery: Email sent to bob@example.com",
        "delivery: Email sent to alice@example.com",
    ]


def test_ack_stops_every_further_page_when_it_commits_while_a_step_is_due(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    _two_step_policy(api)
    post_alert(api, org, "db")
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]

    # Step 2 and alice's repeat are both due, but the ack commits before the engine runs.
    clock.advance(minutes=10)
    r = api.patch(
        "/api-public/v1/incidents/ack", json={"userName": "admin", "incidentNames": ["1"]}
    )
    assert r.status_code == 200, r.text
    worker.run_once()
    clock.advance(hours=2)
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]
    assert [line.split(":")[0] for line in timeline(container, org, 1)] == [
        "alert",
        "transition",
        "page",
        "delivery",
        "transition",
    ]


def test_an_alert_storm_pages_once_per_incident(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    _two_step_policy(api)
    for _ in range(20):
        post_alert(api, org, "db")
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]


def test_reroute_stops_the_old_targets_and_pages_the_new_policy(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    clock: FrozenClock,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "alice")
    add_user(api, "carol")
    team = add_team(api)
    first = add_policy(api, team, [{"timeout": 0, "entries": [user_entry("alice")]}], name="First")
    other = add_policy(api, team, [{"timeout": 0, "entries": [user_entry("carol")]}], name="Other")
    add_routing_key(api, "db", [first])
    post_alert(api, org, "db")
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com"]

    r = api.post(
        "/api-public/v1/incidents/reroute",
        json={
            "userName": "admin",
            "reroutes": [
                {"incidentNumber": "1", "targets": [{"type": "EscalationPolicy", "slug": other}]}
            ],
        },
    )
    assert r.status_code == 200, r.text
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["alice@example.com", "carol@example.com"]
    # alice's personal repeat would fall due now; the reroute ended her paging.
    clock.advance(minutes=5)
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == [
        "alice@example.com",
        "carol@example.com",
        "carol@example.com",
    ]
    assert [line for line in timeline(container, org, 1) if line.startswith("page")] == [
        "page: Paging alice: Step 1 of policy First: named in the policy",
        "page: Paging carol: Step 1 of policy Other: named in the policy",
    ]


def test_a_manual_incident_pages_its_user_targets_directly(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "dave")
    r = api.post(
        "/api-public/v1/incidents",
        json={
            "summary": "Database on fire",
            "details": "Call now",
            "userName": "admin",
            "targets": [{"type": "User", "slug": "dave"}],
        },
    )
    assert r.status_code == 200, r.text
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["dave@example.com"]
    assert "page: Paging dave: targeted directly" in timeline(container, org, 1)


def test_a_policy_routing_entry_continues_in_the_other_policy(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    add_user(api, "bob")
    team = add_team(api)
    target = add_policy(api, team, [{"timeout": 0, "entries": [user_entry("bob")]}], name="DBA")
    first = add_policy(
        api,
        team,
        [
            {
                "timeout": 0,
                "entries": [
                    {"executionType": "policy_routing", "targetPolicy": {"policySlug": target}}
                ],
            }
        ],
        name="Front",
    )
    add_routing_key(api, "db", [first])
    post_alert(api, org, "db")
    worker.run_once()
    assert outbox.to(Medium.EMAIL) == ["bob@example.com"]
    assert [line for line in timeline(container, org, 1) if line.startswith("page")] == [
        f"page: Step 1 of policy Front: continue in policy {target}",
        "page: Paging bob: Step 1 of policy DBA: named in the policy",
    ]


def test_a_team_page_entry_pages_every_member_of_the_policys_team(
    api: TestClient,
    org: Org,
    *,
    container: Container,
    worker: Engine,
    outbox: Outbox,
) -> None:
    for name in ("alice", "bob", "carol", "dave"):
        add_user(api, name)
    team = add_team(api)
    for name in ("alice", "bob", "carol"):
        r = api.post(f"/api-public/v1/team/{team}/members", json={"username": name})
        assert r.status_code == 200, r.text
    # dave is in another team: a team page is the policy's own team only.
    other = add_team(api, "Web")
    assert api.post(f"/api-public/v1/team/{other}/members", json={"username": "dave"}).is_success
    policy = add_policy(api, team, [{"timeout": 0, "entries": [{"executionType": "team_page"}]}])
    add_routing_key(api, "db", [policy])
    post_alert(api, org, "db")
    worker.run_once()
    assert sorted(outbox.to(Medium.EMAIL)) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    assert [line for line in timeline(container, org, 1) if line.startswith("page")] == [
        f"page: Paging {name}: Step 1 of policy Ops: member of team Ops"
        for name in ("alice", "bob", "carol")
    ]
