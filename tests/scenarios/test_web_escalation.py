"""The web UI's view of an escalation: the incident page says which step comes next and
when, and the policy editor makes policies of any number of steps that page on time."""

from __future__ import annotations

import re

from tests.scenarios.story import Story, rotation, step, user


def test_incident_page_says_step_two_in_seven_minutes(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Database", [alice, bob])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    policy = story.policy(team, "Database", [step(0, rotation(primary)), step(15, user(bob))])
    story.routing_key("db", [policy])

    story.alert("db")
    story.advance(minutes=8)
    page = story.web.get("/incidents/1").text
    assert "Step 2 in 7 min" in page
    assert "policy Database (step 2 of 2" in page
    story.ack(1, by=alice)
    assert "Step 2 in" not in story.web.get("/incidents/1").text


def _edit_form(page: str) -> tuple[int, str]:
    rows = len(re.findall(r'<fieldset class="card step-row"', page))
    name = re.search(r'<input name="name"[^>]*value="([^"]*)"', page)
    assert name is not None
    return rows, name.group(1)


def test_policy_editor_makes_three_steps_that_page_at_their_minutes(story: Story) -> None:
    alice, bob, carol = story.user("alice"), story.user("bob"), story.user("carol")
    team = story.team("Database", [alice, bob, carol])
    primary = story.rotation(team, "Primary", [alice], start="2026-01-05T09:00")
    policy = story.policy(team, "Database", [step(0, rotation(primary))])
    story.routing_key("db", [policy])

    editor = story.web.get(f"/policies/{policy}/edit")
    assert editor.status_code == 200, editor.text
    rows, name = _edit_form(editor.text)
    assert (rows, name) == (3, "Database")  # its one step and two empty rows
    assert f'value="0|rtg:{primary}" selected' in editor.text

    saved = story.web.post(
        f"/policies/{policy}",
        data={
            "csrf_token": story.csrf,
            "name": "Database 24/7",
            "timeout": ["0", "10", "5"],
            "target": [f"0|rtg:{primary}", f"1|user:{bob}", f"2|user:{carol}", "2|team:"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    (found,) = [
        p for p in story.api.get("/api-public/v1/policies").json()["policies"]
        if p["policy"]["slug"] == policy
    ]  # fmt: skip
    assert found["policy"]["name"] == "Database 24/7"
    # Saved again: the three steps and two new empty rows.
    assert _edit_form(story.web.get(f"/policies/{policy}/edit").text) == (5, "Database 24/7")

    story.alert("db")
    story.advance(minutes=9)
    assert [p for p in story.new_pages() if p[1] != alice] == []
    story.advance(minutes=1)
    assert (10, bob, "email") in story.new_pages()
    story.advance(minutes=5)
    assert (15, carol, "email") in story.new_pages()


def test_policy_editor_refuses_a_policy_with_no_step(story: Story) -> None:
    alice = story.user("alice")
    team = story.team("Database", [alice])
    policy = story.policy(team, "Database", [step(0, user(alice))])
    refused = story.web.post(
        f"/policies/{policy}",
        data={"csrf_token": story.csrf, "name": "Database", "timeout": ["0", "15"]},
        headers={"X-OpenOnCall-Form": "1"},
    )
    assert refused.status_code == 400
    assert 'data-field="step-0-targets"' in refused.text
    assert "Choose whom step 1 pages" in refused.text
