"""`openoncall oncall now` and `openoncall oncall take`, against the test database."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openoncall.cli import app
from openoncall.clock import FrozenClock, SystemClock
from openoncall.container import Container
from tests.api.scheduling_builders import make_ops_team
from tests.conftest import Org

runner = CliRunner()


def test_oncall_now_and_take_agree_with_the_api(
    api: TestClient, container: Container, org: Org, clock: FrozenClock, db_url: str
) -> None:
    # The CLI reads the system clock; so does the API here, to compare the two.
    clock.set(SystemClock().now())
    ops = make_ops_team(api, container, org.org_id)
    env = {"OPENONCALL_DATABASE_URL": db_url}

    result = runner.invoke(app, ["oncall", "now", "--json"], env=env)
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)
    from_api = api.get("/api-public/v1/oncall/current").json()
    assert from_cli == from_api
    (team,) = from_api["teamsOnCall"]
    ((on_call,),) = [[u["onCalluser"]["username"] for u in p["users"]] for p in team["oncallNow"]]
    assert on_call in {"alice", "bob", "carol"}

    result = runner.invoke(app, ["oncall", "now"], env=env)
    assert result.exit_code == 0
    assert "Ops policy" in result.output
    assert on_call in result.output

    result = runner.invoke(
        app,
        ["oncall", "take", "--policy", ops.policy, "--from", on_call, "--to", "dave", "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"result": "ok"}  # stderr carries the log lines
    clock.set(SystemClock().now())  # the take starts when the CLI ran
    after = api.get("/api-public/v1/oncall/current").json()
    assert after["teamsOnCall"][0]["oncallNow"][0]["users"] == [
        {"onCalluser": {"username": "dave"}}
    ]

    # Someone who is neither the original holder nor the taker (a take to oneself is a no-op),
    # whichever of alice, bob and carol this week's rotation has on call.
    other = next(u for u in ("alice", "bob", "carol") if u != on_call)
    result = runner.invoke(
        app, ["oncall", "take", "--policy", ops.policy, "--from", on_call, "--to", other], env=env
    )
    assert result.exit_code == 1
    assert f"dave already holds {on_call}'s shift on policy {ops.policy}" in result.output

    result = runner.invoke(
        app, ["oncall", "take", "--policy", "pol-nope", "--from", "dave", "--to", "bob"], env=env
    )
    assert result.exit_code == 1
    assert "Escalation policy not found: pol-nope" in result.output
