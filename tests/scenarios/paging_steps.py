"""Story steps for personal paging policies, told through the vendor's public API
(`/api-public/v1/profile/{username}/policies…`), as a user edits their profile.

A rule is `{"type": "email"|"sms"|"phone"|"push", "contact": {"id", "type"}}`; push names no
contact (it reaches every device). A step's `timeout` is "If still unacked after N minutes":
the wait after the step before the next one, and the last step repeats at its own timeout.

Also a step appended to an existing escalation policy (`add_policy_step`).
"""

from __future__ import annotations

from typing import Any

from tests.scenarios.story import Story

Rule = dict[str, Any]
PROFILE = "/api-public/v1/profile/{username}/policies"


def email_rule(story: Story, username: str) -> Rule:
    """Email to the user's account address (their first email contact)."""
    emails = story.api.get(f"/api-public/v1/user/{username}/contact-methods/emails")
    assert emails.status_code == 200, emails.text
    contact_id = emails.json()["contactMethods"][0]["id"]
    return {"type": "email", "contact": {"id": contact_id, "type": "email"}}


def sms_rule(phone_id: int) -> Rule:
    return {"type": "sms", "contact": {"id": phone_id, "type": "phone"}}


def phone_rule(phone_id: int) -> Rule:
    return {"type": "phone", "contact": {"id": phone_id, "type": "phone"}}


def push_rule() -> Rule:
    return {"type": "push"}


def paging_policy(story: Story, username: str) -> list[dict[str, Any]]:
    """The user's paging policy steps, as the API shows them."""
    r = story.api.get(PROFILE.format(username=username))
    assert r.status_code == 200, r.text
    steps: list[dict[str, Any]] = r.json()["steps"]
    return steps


def set_step(story: Story, username: str, index: int, timeout: int, *rules: Rule) -> None:
    """Replace step `index` of the user's paging policy (its timeout and all its rules)."""
    r = story.api.put(
        f"{PROFILE.format(username=username)}/{index}",
        json={"timeout": timeout, "rules": list(rules)},
    )
    assert r.status_code == 200, r.text


def add_step(story: Story, username: str, timeout: int, *rules: Rule) -> None:
    """Append a step to the user's paging policy."""
    r = story.api.post(
        PROFILE.format(username=username), json={"timeout": timeout, "rules": list(rules)}
    )
    assert r.status_code == 200, r.text


def delete_rule(story: Story, username: str, step: int, rule: int) -> None:
    r = story.api.delete(f"{PROFILE.format(username=username)}/{step}/{rule}")
    assert r.status_code == 200, r.text


def hourly(story: Story, *usernames: str) -> None:
    """Each user reads email and keeps one step, repeated hourly: one page per hour, so a
    policy's steps show plainly in an hour's story."""
    for username in usernames:
        set_step(story, username, 0, 60, email_rule(story, username))


# ---- escalation policies edited after creation --------------------------------------------


def add_policy_step(story: Story, policy: str, step: dict[str, Any]) -> None:
    """Append a step to an existing escalation policy, as the vendor's web UI can (through
    OpenOnCall's /api-ext extension): e.g. a last step that executes the policy itself."""
    r = story.api.post(f"/api-ext/v1/policies/{policy}/steps", json=step)
    assert r.status_code == 200, r.text
