"""An incident's life: ack, resolve, reroute, the REST message types, folding by entity_id.

Vendor behaviour checked, with its sources:
- Alerts roll up into incidents by entity_id; CRITICAL opens one; ACKNOWLEDGEMENT acks it;
  RECOVERY resolves it ("paging stops"); after a resolution a new CRITICAL opens a new
  incident; INFO "creates a timeline event but does not trigger an incident"; WARNING "may
  trigger an incident, depending on your settings" (help.victorops.com, "VictorOps: REST
  Endpoint"; /work/shared/spec/NOTES.md (c) "Dedup and lifecycle semantics").
- An acked incident stays acked when more CRITICALs for its entity arrive: they aggregate
  into it (NOTES (c)); only a resolution frees the entity.
- Reroute: "When an incident is routed directly to a user, the user will be paged in
  accordance with their personal paging policy"; routed to a policy, "it will page and
  escalate in accordance with the steps indicated in the policy" (help.splunk.com, "Reroute
  incidents"). The old escalation stops: the reroute replaces the incident's targets.
- byUser ack/resolve act on "all incidents for which a user was paged" (Swagger 2020-06).
- A routing key may target several escalation policies; all of them page (Swagger,
  RoutingKeyPayload.targets). POST /incidents pages users and policies (CreateIncidentRequest).

Not sure what the vendor does, and chosen here: WARNING "may open a new incident depending
on configuration in Settings >> Alert Configuration >> 'Create incidents for entities in
[xxxxxxx] state'" (kb.victorops.com, "Incident Fields Glossary"); that setting has no public
API and its default is not documented, so it is taken as off: a WARNING opens nothing.
Everyone keeps the default personal paging policy: an email at once, repeated every 5 min.
"""

from __future__ import annotations

from tests.scenarios import lifecycle_steps as do
from tests.scenarios.story import Story
from tests.scenarios.team_steps import team_paging


def _database(story: Story, *, then: int = 15) -> str:
    """The Database policy pages alice, then bob `then` minutes later, on routing key "db";
    carol is a third user, on no step. Returns the policy slug."""
    policy = team_paging(story, "Database", ["alice", "bob"], after=then, key="db")
    story.user("carol")
    return policy


def test_an_ack_by_the_second_responder_stops_the_escalation_and_everyones_repeats(
    story: Story,
) -> None:
    team_paging(story, "Database", ["alice", "bob", "carol"], after=10, key="db")
    story.alert("db")
    story.advance(minutes=12)
    story.ack(1, by="bob")
    story.advance(hours=2)
    assert story.emailed() == {"alice": [0, 5, 10], "bob": [10]}
    assert do.phase(story, 1) == "ACKED"


def test_a_resolve_stops_everything(story: Story) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=7)
    story.resolve(1, by="alice")
    story.advance(hours=2)
    assert story.emailed() == {"alice": [0, 5]}
    assert do.phase(story, 1) == "RESOLVED"


def test_a_new_critical_for_an_acked_incident_folds_in_and_pages_nobody(story: Story) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=2)
    story.ack(1, by="alice")
    story.advance(minutes=28)
    story.alert("db", state_message="Disk still full")
    story.advance(hours=1)
    assert story.emailed() == {"alice": [0]}
    incident = story.incident(1)
    assert (incident["currentPhase"], incident["alertCount"]) == ("ACKED", 2)


def test_a_critical_after_recovery_opens_a_new_incident_paged_from_step_one(
    story: Story,
) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=3)
    do.recovery(story, "db")
    story.advance(minutes=7)
    story.alert("db", state_message="Disk full again")
    story.advance(minutes=15)
    assert story.emailed() == {"alice": [0, 10, 15, 20, 25], "bob": [25]}
    assert (do.phase(story, 1), do.phase(story, 2)) == ("RESOLVED", "UNACKED")


def test_a_reroute_to_a_user_pages_them_by_their_policy_and_stops_the_old_escalation(
    story: Story,
) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=7)
    do.reroute(story, 1, by="alice", users=["carol"])
    story.advance(minutes=13)
    assert story.emailed() == {"alice": [0, 5], "carol": [7, 12, 17]}


def test_a_reroute_to_a_policy_restarts_paging_from_its_first_step(story: Story) -> None:
    _database(story)
    dba = team_paging(story, "DBA", ["dave", "erin"], after=10)
    story.alert("db")
    story.advance(minutes=7)
    do.reroute(story, 1, by="alice", policies=[dba])
    story.advance(minutes=14)
    assert story.emailed() == {"alice": [0, 5], "dave": [7, 12, 17], "erin": [17]}


def test_ack_by_user_acks_every_incident_that_paged_them_and_no_other(story: Story) -> None:
    _database(story)
    team_paging(story, "Web", ["dave"], key="web")
    story.alert("db", entity_id="disk-full")
    story.alert("db", entity_id="cpu-high")
    story.alert("web", entity_id="5xx")
    story.advance(minutes=3)
    assert do.ack_by_user(story, "alice") == ["1", "2"]
    story.advance(minutes=17)
    assert story.emailed() == {"alice": [0, 0], "dave": [0, 5, 10, 15, 20]}


def test_resolve_by_user_resolves_their_acked_and_unacked_incidents(story: Story) -> None:
    _database(story)
    story.alert("db", entity_id="disk-full")
    story.alert("db", entity_id="cpu-high")
    story.advance(minutes=1)
    story.ack(1, by="alice")
    assert do.resolve_by_user(story, "alice") == ["1", "2"]
    story.advance(hours=1)
    assert story.emailed() == {"alice": [0, 0]}
    assert (do.phase(story, 1), do.phase(story, 2)) == ("RESOLVED", "RESOLVED")


def test_an_info_alert_opens_no_incident_and_pages_nobody(story: Story) -> None:
    _database(story)
    story.alert("db", message_type="INFO", state_message="Backup finished")
    story.advance(hours=1)
    assert story.pages() == []
    assert story._ok(story.api.get("/api-public/v1/incidents"))["incidents"] == []


def test_a_warning_opens_no_incident_with_the_default_settings(story: Story) -> None:
    _database(story)
    story.alert("db", message_type="WARNING", state_message="Disk 85% full")
    story.advance(hours=1)
    assert story.pages() == []
    assert story._ok(story.api.get("/api-public/v1/incidents"))["incidents"] == []


def test_a_warning_for_an_open_incident_folds_in_without_paging_again(story: Story) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=3)
    story.alert("db", message_type="WARNING", state_message="Disk 95% full")
    story.advance(minutes=12)
    assert story.emailed() == {"alice": [0, 5, 10, 15], "bob": [15]}
    assert story.incident(1)["alertCount"] == 2


def test_an_acknowledgement_alert_acks_the_incident_and_stops_paging(story: Story) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=7)
    story.alert("db", message_type="ACKNOWLEDGEMENT", ack_author="nagios", ack_msg="Seen")
    story.advance(hours=1)
    assert story.emailed() == {"alice": [0, 5]}
    acked = [t for t in story.incident(1)["transitions"] if t["name"] == "ACKED"]
    assert [(t["by"], t["manually"]) for t in acked] == [("nagios", False)]


def test_a_recovery_mid_escalation_means_no_later_step_runs(story: Story) -> None:
    team_paging(story, "Database", ["alice", "bob", "carol"], after=10, key="db")
    story.alert("db")
    story.advance(minutes=12)
    do.recovery(story, "db")
    story.advance(hours=1)
    assert story.emailed() == {"alice": [0, 5, 10], "bob": [10]}
    assert do.phase(story, 1) == "RESOLVED"


def test_a_second_critical_mid_escalation_neither_restarts_nor_duplicates_paging(
    story: Story,
) -> None:
    _database(story)
    story.alert("db")
    story.advance(minutes=8)
    story.alert("db", state_message="Disk full, writes failing")
    story.advance(minutes=12)
    assert story.emailed() == {"alice": [0, 5, 10, 15, 20], "bob": [15, 20]}
    assert story.incident(1)["alertCount"] == 2


def test_another_entity_mid_escalation_opens_a_second_incident_on_its_own_clock(
    story: Story,
) -> None:
    _database(story, then=10)
    story.alert("db", entity_id="disk-full")
    story.advance(minutes=3)
    story.alert("db", entity_id="cpu-high")
    story.advance(minutes=10)
    assert story.emailed() == {"alice": [0, 3, 5, 8, 10, 13], "bob": [10, 13]}


def test_every_policy_of_a_routing_key_pages_and_one_ack_stops_them_all(story: Story) -> None:
    database = _database(story)
    platform = team_paging(story, "Platform", ["dave", "erin"], after=10)
    story.routing_key("storage", [database, platform])

    story.alert("storage")
    story.advance(minutes=12)
    story.ack(1, by="dave")
    story.advance(hours=1)
    assert story.emailed() == {"alice": [0, 5, 10], "dave": [0, 5, 10], "erin": [10]}


def test_each_routing_key_pages_only_its_own_policy(story: Story) -> None:
    _database(story)
    team_paging(story, "Web", ["dave"], key="web")
    story.alert("web", entity_id="5xx")
    story.advance(minutes=16)
    assert story.emailed() == {"dave": [0, 5, 10, 15]}


def test_a_manual_incident_pages_its_user_and_escalates_its_policy(story: Story) -> None:
    database = _database(story)
    erin = story.user("erin")
    number = do.manual_incident(story, "Replica lag", "carol", users=[erin], policies=[database])
    story.advance(minutes=16)
    story.ack(number, by="erin")
    story.advance(hours=1)
    assert story.emailed() == {"alice": [0, 5, 10, 15], "erin": [0, 5, 10, 15], "bob": [15]}
