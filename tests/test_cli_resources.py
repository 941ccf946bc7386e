"""The resource commands (`users`, `teams`, `rotations`, `policies`, `routing-keys`,
`overrides`, `maintenance`, `incidents`, `notify test`) against the test database: what they
print with --json is what the API answers, what they change the API sees, and their errors
are JSON on stderr with exit status 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from openoncall.cli import app
from openoncall.clock import FrozenClock, SystemClock
from openoncall.container import Container
from tests.api.scheduling_builders import make_ops_team
from tests.conftest import Org
from tests.engine.servers import SmtpSink, smtp_server

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, clock: FrozenClock) -> Any:
    # The CLI reads the system clock; the API here reads the same, to compare the two.
    clock.set(SystemClock().now())

    def invoke(*args: str, ok: bool = True, **env: str) -> Result:
        result = runner.invoke(app, list(args), env={"OPENONCALL_DATABASE_URL": db_url, **env})
        if ok:
            assert result.exit_code == 0, (args, result.output)
        return result

    return invoke


def as_json(result: Result) -> Any:
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def error_of(result: Result) -> dict[str, Any]:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    parsed: dict[str, Any] = json.loads(result.stderr.strip())
    return parsed


def test_users_and_teams(cli: Any, api: TestClient, org: Org) -> None:
    created = as_json(
        cli(
            "users",
            "create",
            "--username",
            "bob",
            "--first-name",
            "Bob",
            "--last-name",
            "Ross",
            "--email",
            "bob@acme.example",
            "--json",
        )
    )
    assert created == api.get("/api-public/v1/user/bob").json()
    listed = as_json(cli("users", "list", "--json"))
    assert listed == api.get("/api-public/v2/user").json()
    assert {u["username"] for u in listed["users"]} == {"admin", "bob"}
    assert as_json(cli("users", "show", "bob", "--json"))["email"] == "bob@acme.example"
    table = cli("users", "list").stdout
    assert "Bob Ross" in table
    assert "bob@acme.example" in table

    team = as_json(cli("teams", "create", "--name", "Ops", "--description", "pagers", "--json"))
    assert team == api.get(f"/api-public/v1/team/{team['slug']}").json()
    assert team["description"] == "pagers"
    assert as_json(cli("teams", "list", "--json")) == api.get("/api-public/v1/team").json()
    assert team["slug"] in cli("teams", "list").stdout

    unknown = error_of(
        cli("users", "delete", "nobody", "--replacement", "admin", "--json", ok=False)
    )
    assert unknown["error"] == "not-found"
    assert as_json(cli("users", "delete", "bob", "--replacement", "admin", "--json")) == {}
    assert api.get("/api-public/v1/user/bob").status_code == 404
    assert "removed" in cli("teams", "delete", team["slug"]).stdout
    assert api.get(f"/api-public/v1/team/{team['slug']}").status_code == 404


def test_rotation_policy_routing_key_override_and_maintenance(
    cli: Any, api: TestClient, container: Container, org: Org, tmp_path: Path
) -> None:
    ops = make_ops_team(api, container, org.org_id)
    rotation = as_json(
        cli(
            "rotations",
            "create",
            "--team",
            ops.team,
            "--label",
            "Secondary",
            "--shift-type",
            "std",
            "--start",
            "2026-01-05T09:00:00",
            "--duration",
            "7",
            "--timezone",
            "Europe/Berlin",
            "--member",
            "carol",
            "--member",
            "dave",
            "--json",
        )
    )
    assert rotation["label"] == "Secondary"
    assert [m["username"] for m in rotation["shifts"][0]["shiftMembers"]] == ["carol", "dave"]
    listed = as_json(cli("rotations", "list", "--team", ops.team, "--json"))
    assert listed == api.get(f"/api-public/v1/teams/{ops.team}/rotations").json()
    assert rotation["slug"] in {g["slug"] for g in listed["rotationGroups"]}

    # A rotation at once, then dave 15 minutes after it if nobody acknowledged.
    policy = as_json(
        cli(
            "policies",
            "create",
            "--team",
            ops.team,
            "--name",
            "Night",
            "--step",
            f"rotation_group:{rotation['slug']}",
            "--step",
            "15:user:dave,email:x@y.z",
            "--json",
        )
    )
    assert policy == api.get(f"/api-public/v1/policies/{policy['slug']}").json()
    assert [
        (s["timeout"], [e["executionType"] for e in s["entries"]]) for s in policy["steps"]
    ] == [
        (0, ["rotation_group"]),
        (15, ["user", "email"]),
    ]
    shown = cli("policies", "show", policy["slug"]).stdout
    assert "step 2, after 15 min: user dave, email x@y.z" in shown
    assert as_json(cli("policies", "list", "--json")) == api.get("/api-public/v1/policies").json()

    # --file gives the body; flags override its fields.
    body = tmp_path / "policy.json"
    body.write_text(
        json.dumps(
            {
                "name": "From file",
                "teamSlug": ops.team,
                "steps": [
                    {
                        "timeout": 0,
                        "entries": [{"executionType": "user", "user": {"username": "bob"}}],
                    }
                ],
            }
        )
    )
    from_file = as_json(cli("policies", "create", "--file", str(body), "--name", "Flag", "--json"))
    assert from_file["name"] == "Flag"
    assert from_file["steps"][0]["entries"][0]["user"]["username"] == "bob"

    key = as_json(
        cli("routing-keys", "create", "--key", "database", "--policy", policy["slug"], "--json")
    )
    assert key == {"routingKey": "database", "targets": [policy["slug"]]}
    assert (
        as_json(cli("routing-keys", "list", "--json"))
        == api.get("/api-public/v1/org/routing-keys").json()
    )

    override = as_json(
        cli(
            "overrides",
            "create",
            "--user",
            "alice",
            "--timezone",
            "UTC",
            "--start",
            "2027-02-01T09:00:00Z",
            "--end",
            "2027-02-02T09:00:00Z",
            "--json",
        )
    )["schedule"]
    public_id = override["publicId"]
    assert (
        as_json(cli("overrides", "show", public_id, "--json"))
        == api.get(f"/api-public/v1/overrides/{public_id}").json()
    )
    assert public_id in cli("overrides", "list").stdout
    cli("overrides", "delete", public_id)
    assert api.get(f"/api-public/v1/overrides/{public_id}").status_code == 404

    started = as_json(
        cli("maintenance", "start", "--routing-key", "database", "--purpose", "upgrade", "--json")
    )
    (window,) = started["activeInstances"]
    assert window["targets"] == [{"type": "RoutingKeys", "names": ["database"]}]
    assert window["startedBy"] == "cli"
    assert (
        as_json(cli("maintenance", "list", "--json"))
        == api.get("/api-public/v1/maintenancemode").json()
    )
    ended = as_json(cli("maintenance", "end", window["instanceId"], "--json"))
    assert ended["activeInstances"] == []

    cli("policies", "delete", from_file["slug"])
    assert api.get(f"/api-public/v1/policies/{from_file['slug']}").status_code == 404
    group_id = str(rotation["id"])
    refused = cli("rotations", "delete", "--team", ops.team, group_id, "--json", ok=False)
    assert error_of(refused)["message"].startswith("Rotation")  # Night still pages it
    cli("policies", "delete", policy["slug"])
    cli("rotations", "delete", "--team", ops.team, group_id)


def test_incident_commands(cli: Any, api: TestClient, container: Container, org: Org) -> None:
    ops = make_ops_team(api, container, org.org_id)
    opened = api.post(
        "/api-public/v1/incidents",
        json={
            "summary": "disk full",
            "details": "db-1 at 99%",
            "userName": "alice",
            "targets": [{"type": "EscalationPolicy", "slug": ops.policy}],
        },
    ).json()
    number = opened["incidentNumber"]
    assert as_json(cli("incidents", "list", "--json")) == api.get("/api-public/v1/incidents").json()
    assert "disk full" in cli("incidents", "list").stdout

    acked = as_json(cli("incidents", "ack", number, "--user", "bob", "--message", "mine", "--json"))
    assert acked["results"][0]["cmdAccepted"] is True
    assert api.get(f"/api-public/v1/incidents/{number}").json()["currentPhase"] == "ACKED"

    note = as_json(cli("incidents", "note", number, "--name", "cause", "--text", "logs", "--json"))
    assert note == {"name": "cause", "displayName": "cause", "json_value": {"text": "logs"}}
    assert api.get(f"/api-public/v1/incidents/{number}/notes").json() == [note]

    rerouted = as_json(
        cli("incidents", "reroute", number, "--user", "bob", "--to", "user:dave", "--json")
    )
    assert rerouted["statuses"][0]["success"] is True
    assert "dave" in api.get(f"/api-public/v1/incidents/{number}").json()["pagedUsers"]

    # One accepted, one refused: a result for each, and exit status 1.
    mixed = cli("incidents", "resolve", number, "999", "--user", "bob", "--json", ok=False)
    assert mixed.exit_code == 1
    results = {r["incidentNumber"]: r["cmdAccepted"] for r in as_json(mixed)["results"]}
    assert results == {number: True, "999": False}
    shown = as_json(cli("incidents", "show", number, "--json"))
    assert shown == api.get(f"/api-public/v1/incidents/{number}").json()
    assert shown["currentPhase"] == "RESOLVED"


def test_errors_are_json_on_stderr_naming_the_field(cli: Any, org: Org, tmp_path: Path) -> None:
    missing = error_of(cli("users", "show", "nobody", "--json", ok=False))
    assert missing == {"error": "not-found", "message": "User not found", "field": "user"}
    invalid = error_of(cli("users", "create", "--username", "x", "--json", ok=False))
    assert invalid == {
        "error": "invalid-input",
        "message": "firstName: Field required",
        "field": "firstName",
    }
    bad_file = tmp_path / "body.json"
    bad_file.write_text("{not json")
    unreadable = error_of(cli("teams", "create", "--file", str(bad_file), "--json", ok=False))
    assert unreadable["field"] == "file"
    unknown = cli(
        "policies",
        "create",
        "--team",
        "nope",
        "--name",
        "P",
        "--step",
        "user:admin",
        "--json",
        ok=False,
    )
    assert error_of(unknown) == {
        "error": "not-found",
        "message": "Team not found: nope",
        "field": "teamSlug",
    }
    # Usage errors too: what Click reports, with its exit status 2.
    for args, message in (
        (["users", "show", "--json"], "Missing argument 'username'."),
        (["users", "list", "--json", "--bogus"], "No such option: --bogus"),
        (["policies", "create", "--step", "nine:user", "--json"], "Invalid value for --step"),
    ):
        usage = cli(*args, ok=False)
        assert usage.exit_code == 2, usage.output
        assert usage.stdout == ""
        parsed = json.loads(usage.stderr)
        assert parsed["error"] == "usage"
        assert parsed["message"].startswith(message), parsed
    # Without --json the same error is a line of text.
    text = cli("users", "show", "nobody", ok=False)
    assert text.exit_code == 1
    assert "error: User not found (user)" in text.stderr


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


def test_notify_test_sends_on_each_contact_method(
    cli: Any, api: TestClient, container: Container, org: Org, smtp: SmtpSink
) -> None:
    make_ops_team(api, container, org.org_id)
    second = api.post(
        "/api-public/v1/user/bob/contact-methods/emails",
        json={"label": "Home", "email": "bob@home.example"},
    )
    assert second.status_code == 200, second.text
    env = {"OPENONCALL_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}"}
    sent = as_json(cli("notify", "test", "bob", "--json", **env))
    assert sent["username"] == "bob"
    assert [(r["to"], r["ok"]) for r in sent["results"]] == [
        ("bob@example.com", True),
        ("bob@home.example", True),
    ]
    assert smtp.wait_for(2)
    assert sorted(to for mail in smtp.items for to in mail.to) == [
        "bob@example.com",
        "bob@home.example",
    ]
    assert all(mail.subject == "OpenOnCall test page" for mail in smtp.items)

    # A closed port: the result says so, and the command fails.
    failed = cli("notify", "test", "bob", ok=False, OPENONCALL_SMTP_URL="smtp://127.0.0.1:9")
    assert failed.exit_code == 1
    assert "NO" in failed.stdout
