"""Render on-call events as an iCalendar (RFC 5545) document with the `icalendar` library."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from openoncall.calendar.service import FeedContent

PRODID = "-//OpenOnCall//On-call feed//EN"


def render_ics(content: FeedContent, *, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", content.title)
    for event in content.events:
        item = Event()
        # Stable across fetches, so calendar apps update an event rather than duplicate it.
        item.add(
            "uid", f"{event.policy_slug}.{event.username}.{int(event.start.timestamp())}@openoncall"
        )
        item.add("dtstamp", now)
        item.add("dtstart", event.start)
        item.add("dtend", event.end)
        item.add("summary", f"On call: {event.username} ({event.policy_name})")
        item.add(
            "description",
            f"{event.username} is on call for escalation policy {event.policy_name} "
            f"({event.policy_slug}) of team {event.team_name} ({event.team_slug}).",
        )
        item.add("categories", [event.team_name])
        calendar.add_component(item)
    data: bytes = calendar.to_ical()
    return data
