"""Maintenance mode, global and per routing key.

Vendor behaviour checked (kb.victorops.com, "Maintenance Mode"; Swagger 2020-06,
POST /api-public/v1/maintenancemode/start and PUT .../{id}/end; NOTES.md (b), (c)):
- "Maintenance Mode allows you to temporarily mute alerts ... without disrupting members of
  your team with paging": "Paging will be muted for any new triggered incidents". Alerts are
  still recorded and incidents still open (NOTES (c): "suppresses paging. Alerts are still
  recorded"), so the incident is there, unacked, paging nobody.
- Mute all routing keys (global, an empty `names`) or selected ones: "alerting from other
  Routing Keys will not be interrupted". Windows scoped to keys may overlap.
- Only *new* incidents are muted: one already escalating when maintenance starts keeps
  paging.

Not sure what the vendor does, and chosen here: an incident opened muted stays muted after
maintenance ends (it was never routed; a responder resolves it by hand); new incidents page
again as soon as the window ends.
"""

from __future__ import annotations

from tests.scenarios import lifecycle_steps as do
from tests.scenarios.story import Story
from tests.scenarios.team_steps import team_paging


def _two_teams(story: Story) -> None:
    """Database (alice, then bob after 15 min) on "db"; Web (carol) on "web"."""
    team_paging(story, "Database", ["alice", "bob"], after=15, key="db")
    team_paging(story, "Web", ["carol"], key="web")


def test_global_maintenance_opens_the_incident_but_pages_nobody(story: Story) -> None:
    _two_teams(story)
    do.start_maintenance(story)
    story.alert("db")
    story.alert("web", entity_id="5xx")
    story.advance(hours=1)
    assert story.pages() == []
    assert (do.phase(story, 1), do.phase(story, 2)) == ("UNACKED", "UNACKED")


def test_after_global_maintenance_ends_new_alerts_page_at_once(story: Story) -> None:
    _two_teams(story)
    window = do.start_maintenance(story, purpose="Database upgrade")
    story.alert("db", entity_id="during-upgrade")
    story.advance(minutes=30)
    do.end_maintenance(story, window)
    story.alert("db", entity_id="after-upgrade")
    story.advance(minutes=16)
    assert story.emailed() == {"alice": [30, 35, 40, 45], "bob": [45]}
    assert do.phase(story, 1) == "UNACKED"  # muted, still open, never paged


def test_maintenance_on_one_routing_key_leaves_the_others_paging(story: Story) -> None:
    _two_teams(story)
    do.start_maintenance(story, ["db"], purpose="Database upgrade")
    story.alert("db")
    story.alert("web", entity_id="5xx")
    story.advance(minutes=16)
    assert story.emailed() == {"carol": [0, 5, 10, 15]}


def test_an_incident_escalating_before_maintenance_starts_keeps_paging(story: Story) -> None:
    _two_teams(story)
    story.alert("db")
    story.advance(minutes=3)
    do.start_maintenance(story, ["db"])
    story.alert("db", entity_id="replica-lag")
    story.advance(minutes=13)
    assert story.emailed() == {"alice": [0, 5, 10, 15], "bob": [15]}


def test_a_key_stays_muted_until_every_window_covering_it_has_ended(story: Story) -> None:
    _two_teams(story)
    db_only = do.start_maintenance(story, ["db"], purpose="Database upgrade")
    both = do.start_maintenance(story, ["db", "web"], purpose="Network change")
    story.zero = story.now
    do.end_maintenance(story, db_only)
    story.alert("db", entity_id="first")
    story.advance(minutes=10)
    do.end_maintenance(story, both)
    story.alert("db", entity_id="second")
    story.advance(minutes=1)
    assert story.emailed() == {"alice": [10]}


def test_a_recovery_during_maintenance_closes_the_muted_incident_and_the_next_one_pages(
    story: Story,
) -> None:
    _two_teams(story)
    window = do.start_maintenance(story)
    story.alert("db")
    story.advance(minutes=10)
    do.recovery(story, "db")
    story.advance(minutes=10)
    do.end_maintenance(story, window)
    story.alert("db")
    story.advance(minutes=6)
    assert story.emailed() == {"alice": [20, 25]}
    assert (do.phase(story, 1), do.phase(story, 2)) == ("RESOLVED", "UNACKED")
