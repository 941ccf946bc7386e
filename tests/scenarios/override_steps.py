"""Steps for override stories: scheduled overrides and their per-policy assignments, and the
deprecated team form of Take On-Call, through the vendor's public API."""

from __future__ import annotations

from tests.scenarios.story import Story


def override(story: Story, username: str, start: str, end: str, *, timezone: str = "UTC") -> str:
    """A scheduled override of `username`'s on-call from `start` to `end` (ISO; without an
    offset, local time in `timezone`); returns its publicId."""
    body = story._ok(
        story.api.post(
            "/api-public/v1/overrides",
            json={"username": username, "timezone": timezone, "start": start, "end": end},
        )
    )
    public_id: str = body["schedule"]["publicId"]
    return public_id


def assign(story: Story, public_id: str, policy: str, username: str) -> None:
    """Hand the override's `policy` to `username`."""
    body = story._ok(
        story.api.put(
            f"/api-public/v1/overrides/{public_id}/assignments/{policy}",
            json={"policy": policy, "username": username},
        )
    )
    assert body["user"] == username, body


def delete_override(story: Story, public_id: str) -> None:
    story._ok(story.api.delete(f"/api-public/v1/overrides/{public_id}"))


def take_team(story: Story, team: str, from_user: str, to_user: str) -> None:
    """Take On-Call through the deprecated team form: every policy of the team where
    `from_user` is on call."""
    story._ok(
        story.api.patch(
            f"/api-public/v1/team/{team}/oncall/user",
            json={"fromUser": from_user, "toUser": to_user},
        )
    )


def unassign(story: Story, public_id: str, policy: str) -> None:
    """Delete the override's assignment for `policy`."""
    story._ok(story.api.delete(f"/api-public/v1/overrides/{public_id}/assignments/{policy}"))
