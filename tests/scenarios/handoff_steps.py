"""Steps for handoff stories: local wall times in a zone, and "who is paged if an alert comes
in now" (the first pages of a fresh incident, which is then acknowledged so that repeats of
the last paging step do not run into the next question)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.scenarios.story import Page, Story


def local(zone: str, wall: str, *, fold: int = 0) -> datetime:
    """The UTC instant of local wall time `wall` (ISO, e.g. "2026-03-08T09:00") in `zone`;
    `fold=1` picks the second occurrence of a time the autumn change repeats."""
    naive = datetime.fromisoformat(wall)
    return naive.replace(tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def paged_at(story: Story, at: datetime, routing_key: str = "ops") -> list[Page]:
    """Move to `at`, send an alert (a new incident) and return the pages it made at once,
    minute 0 being the alert; the incident is then acknowledged by the admin."""
    story.advance(until=at)
    story.zero = story.now
    story.incidents += 1
    story.alert(routing_key, entity_id=f"check-{story.incidents}")
    # Run the engine at the same instant without a second agreement check: the on-call views
    # were just checked at `at`, and an incident does not change who is on call.
    story._run()
    pages = sorted(story.new_pages())
    story.ack(story.incidents, by=story.org.boot.admin_username)
    return pages
