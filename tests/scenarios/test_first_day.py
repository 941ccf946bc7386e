"""The first day: a two-step policy, as the vendor's Swagger defines a step's timeout ("the
duration in minutes to wait until executing this step since the last step was executed";
0 means at once).

Everyone here keeps the default personal paging policy: email at once, and "the last step of
the policy will repeat until the incident is acknowledged" (Splunk On-Call knowledge base,
"Paging Policy Setup"), every 5 minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.scenarios.story import Story, rotation, step, user

OPENONCALL = str(Path(sys.executable).with_name("openoncall"))


def test_step_two_pages_bob_fifteen_minutes_after_the_alert_not_before(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    policy = story.policy(team, "Database", [step(0, rotation(primary)), step(15, user(bob))])
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=14)
    assert story.new_pages() == [
        (0, "alice", "email"),
        (5, "alice", "email"),
        (10, "alice", "email"),
    ]

    story.advance(minutes=1)
    assert sorted(story.new_pages()) == [(15, "alice", "email"), (15, "bob", "email")]


def test_an_ack_before_the_timeout_means_step_two_never_runs(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    policy = story.policy(team, "Database", [step(0, rotation(primary)), step(15, user(bob))])
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=7)
    story.ack(1, by=alice)
    story.advance(hours=2)
    assert story.pages() == [(0, "alice", "email"), (5, "alice", "email")]


def test_a_first_step_with_a_timeout_waits_before_paging_anyone(story: Story) -> None:
    alice = story.user("alice")
    team = story.team("Database", [alice])
    policy = story.policy(team, "Quiet start", [step(5, user(alice))])
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=4)
    assert story.new_pages() == []
    story.advance(minutes=1)
    assert story.new_pages() == [(5, "alice", "email")]


def test_the_same_two_steps_made_in_the_web_form_page_bob_at_minute_fifteen(
    story: Story,
) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    form = {"name": "Database", "team": team, "first": f"rtg:{primary}", "then": f"user:{bob}"}
    made = story.web.post("/policies", data={**form, "timeout": "15", "csrf_token": story.csrf})
    assert made.status_code == 200, made.text
    assert "after 15 min" in story.web.get("/policies").text
    (policy,) = story.api.get("/api-public/v1/policies").json()["policies"]
    story.routing_key("db", [policy["policy"]["slug"]])

    story.alert("db")
    story.advance(minutes=14)
    assert [p for p in story.new_pages() if p[1] == bob] == []
    story.advance(minutes=1)
    assert (15, "bob", "email") in story.new_pages()


def test_the_same_two_steps_made_with_the_cli_page_bob_at_minute_fifteen(
    story: Story, db_url: str
) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    made = subprocess.run(
        [OPENONCALL, "policies", "create", "--team", team, "--name", "Database",
         "--step", f"rotation_group:{primary}", "--step", f"15:user:{bob}", "--json"],
        env={**os.environ, "OPENONCALL_DATABASE_URL": db_url},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    story.routing_key("db", [json.loads(made.stdout)["slug"]])

    story.alert("db")
    story.advance(minutes=14)
    assert [p for p in story.new_pages() if p[1] == bob] == []
    story.advance(minutes=1)
    assert (15, "bob", "email") in story.new_pages()
