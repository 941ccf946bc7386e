"""Alert rules (the Rules Engine) that reroute alerts or change their fields.

Vendor behaviour checked (help.splunk.com, "Alert rules engine: transformations" and
"Rules engine: custom outbound webhooks" (managing rules); help.victorops.com "Rules Engine:
Matching Conditions"; the alert-rule shapes in NOTES.md (a2)/(b) "Alert rules"):
- A rule matches one alert field by wildcard (`*`: any run of characters) or regex, and
  may route the alert to another routing key, so that key's escalation policies are paged
  and not the ones of the key the alert arrived with. The documented way is a
  transformation: "When entity_id matches db03* using Wildcard Match; Set routing_key to
  devs"; the API's `routingKey` on the rule does the same.
- Transformations (annotation flag 1) overwrite alert fields "before it arrives at your
  timeline": setting `message_type` to INFO mutes a noisy check ("Muting noisy alerts");
  setting `entity_id` folds alerts from many hosts into one incident.
- "All alerts are processed through the Rules Engine ... top to bottom" (rank 0 first); a
  matching rule with the stop flag ends the run.
- Alerts that match no rule are routed by their own routing key.
"""

from __future__ import annotations

from tests.scenarios import lifecycle_steps as do
from tests.scenarios.story import Story, step, user


def _two_teams(story: Story) -> None:
    """Database (alice) on "db"; DBA (dave, then erin after 10 min) on "dba"."""
    alice, dave, erin = story.user("alice"), story.user("dave"), story.user("erin")
    database = story.team("Database", [alice])
    story.routing_key("db", [story.policy(database, "Database", [step(0, user(alice))])])
    dba = story.team("DBA", [dave, erin])
    story.routing_key(
        "dba", [story.policy(dba, "DBA", [step(0, user(dave)), step(10, user(erin))])]
    )


def test_a_rule_reroutes_matching_alerts_to_another_routing_key(story: Story) -> None:
    _two_teams(story)
    do.alert_rule(story, "entity_id", "replication-*", routing_key="dba")
    story.alert("db", entity_id="replication-lag")
    story.alert("db", entity_id="disk-full")
    story.advance(minutes=11)
    assert sorted(story.pages()) == [
        (0, "alice", "email"),
        (0, "dave", "email"),
        (5, "alice", "email"),
        (5, "dave", "email"),
        (10, "alice", "email"),
        (10, "dave", "email"),
        (10, "erin", "email"),
    ]
    assert story.incident(1)["routingKey"] == "dba"


def test_a_transformation_setting_routing_key_reroutes_the_alert(story: Story) -> None:
    _two_teams(story)
    do.alert_rule(story, "entity_id", "db03*", transform={"routing_key": "dba"})
    story.alert("db", entity_id="db03/disk")
    story.advance(minutes=1)
    assert story.pages() == [(0, "dave", "email")]
    assert story.incident(1)["routingKey"] == "dba"


def test_a_rule_turning_critical_into_info_keeps_a_noisy_check_from_paging(story: Story) -> None:
    _two_teams(story)
    do.alert_rule(story, "monitoring_tool", "flaky-ping", transform={"message_type": "INFO"})
    story.alert("db", entity_id="ping", monitoring_tool="flaky-ping")
    story.advance(hours=1)
    assert story.pages() == []
    assert story._ok(story.api.get("/api-public/v1/incidents"))["incidents"] == []


def test_a_rule_rewriting_the_entity_folds_many_hosts_into_one_incident(story: Story) -> None:
    _two_teams(story)
    do.alert_rule(story, "host_name", "db-*", transform={"entity_id": "db-cluster-disk"})
    story.alert("db", entity_id="db-1/disk", host_name="db-1")
    story.advance(minutes=2)
    story.alert("db", entity_id="db-2/disk", host_name="db-2")
    story.alert("db", entity_id="db-3/disk", host_name="db-3")
    story.advance(minutes=4)
    assert story.pages() == [(0, "alice", "email"), (5, "alice", "email")]
    incident = story.incident(1)
    assert (incident["entityId"], incident["alertCount"]) == ("db-cluster-disk", 3)


def test_a_matching_rule_with_the_stop_flag_ends_the_run(story: Story) -> None:
    _two_teams(story)
    carol = story.user("carol")
    web = story.team("Web", [carol])
    story.routing_key("web", [story.policy(web, "Web", [step(0, user(carol))])])
    do.alert_rule(story, "entity_id", "replication-*", routing_key="dba", stop=True, rank=0)
    do.alert_rule(story, "entity_id", "*", routing_key="web", rank=1)
    story.alert("db", entity_id="replication-lag")
    story.alert("db", entity_id="disk-full")
    story.advance(minutes=1)
    assert sorted(story.pages()) == [(0, "carol", "email"), (0, "dave", "email")]
