"""The on-call page says until when its answer holds: the next handoff, however far away."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.scenarios.story import Story, rotation, step, user


def test_a_weekly_rotation_is_valid_until_its_handoff_next_monday(story: Story) -> None:
    alice, bob = story.user("alice"), story.user("bob")
    team = story.team("Ops", [alice, bob])
    # Monday 2026-01-05 12:00 UTC now; in London alice since 09:00, bob from next Monday 09:00.
    weekly = story.rotation(
        team, "Weekly", [alice, bob], start="2026-01-05T09:00", timezone="Europe/London"
    )
    story.policy(team, "Ops", [step(0, rotation(weekly))])
    story.advance(minutes=0)

    page = story.web.get("/oncall").text
    handoff = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # 09:00 GMT
    assert f'Valid until <time datetime="{handoff.isoformat()}">' in page

    story.advance(until=handoff)
    page = story.web.get("/oncall").text
    assert f'<time datetime="{datetime(2026, 1, 19, 9, 0, tzinfo=UTC).isoformat()}">' in page


def test_with_nobody_rotating_the_page_says_no_handoff_is_coming(story: Story) -> None:
    alice = story.user("alice")
    team = story.team("Ops", [alice])
    story.policy(team, "Ops", [step(0, user(alice))])
    story.advance(minutes=0)
    # A user named in a step is paged, not on call: nothing ever hands off.
    assert "No handoff within a year." in story.web.get("/oncall").text
