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
from tests.scenarios.story import Story
from tests.scenarios.team_steps import team_paging


def _two_teams(story: Story) -> None:
    """Database (alice) on "db"; DBA (dave, then erin after 10 min) on "dba"."""
    team_paging(story, "Database", ["alice"], key="db")
    team_paging(story, "DBA", ["dave", "erin"], after=10, key="dba")


def test_a_rule_reroutes_matching_alerts_to_another_routing_key(story: Story) -> None:
    _two_teams(story)
    do.alert_rule(story, "entity_id", "replication-*", routing_key="dba")
    story.alert("db", entity_id="replication-lag")
    story.alert("db", entity_id="disk-full")
    story.advance(minutes=11)
    assert story.emailed() == {"alice": [0, 5, 10], "dave": [0, 5, 10], "erin": [10]}
    assert story.incident(1)["routingKey"] == "dba"


def test_a_transformation_setting_routing_key_reroutes_the_alert(story: Story) -> None:
    _two_teams(story)
    do.alert_rule(story, "entity_id", "db03*", transform={"routing_key": "dba"})
    story.alert("db", entity_id="db03/disk")
    story.advance(minutes=1)
    assert story.emailed() == {"dave": [0]}
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
    assert story.emailed() == {"alice": [0, 5]}
    incident = story.incident(1)
    assert (incident["entityId"], incident["alertCount"]) == ("db-cluster-disk", 3)


def test_a_matching_rule_with_the_stop_flag_ends_the_run(story: Story) -> None:
    _two_teams(story)
    team_paging(story, "Web", ["carol"], key="web")
    do.alert_rule(story, "entity_id", "replication-*", routing_key="dba", stop=True, rank=0)
    do.alert_rule(story, "entity_id", "*", routing_key="web", rank=1)
    story.alert("db", entity_id="replication-lag")
    story.alert("db", entity_id="disk-full")
    story.advance(minutes=1)
    assert story.emailed() == {"carol": [0], "dave": [0]}
