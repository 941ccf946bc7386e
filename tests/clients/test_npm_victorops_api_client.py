"""The npm package `victorops-api-client` (1.0.2), unmodified, against a live OpenOnCall.

tests/clients/node/drive.js calls every method the client has, with the bodies the client
itself builds (batch users wrapped in `users`, `{}` bodies on DELETE), against a server on
127.0.0.1 holding a seeded org, and reports each call. Only the base URL and the client's
answer-size limits (10 kB by default, too small for a two-week schedule) are set.
`CALLS` below is the outcome of each call, in order; every one must answer 2xx with the
body the driver checks for.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.api.conftest import LiveServer
from tests.api.incident_builders import open_alert_incident
from tests.api.scheduling_builders import make_ops_team, make_webhook
from tests.conftest import Org

NODE_DIR = Path(__file__).parent / "node"

# (method, HTTP status) of every call the driver makes, in order: the recorded outcome.
# All 79 methods of the client; a few are called twice (with and without an optional body,
# or to read back what the call before changed).
CALLS: list[tuple[str, int]] = [
    ("oncall.getUserSchedule", 200),
    ("oncall.getTeamSchedule", 200),
    ("oncall.getOncallUsers", 200),
    ("users.getUsers", 200),
    ("users.addUser", 200),
    ("users.addUsers", 200),
    ("users.getUser", 200),
    ("users.updateUser", 200),
    ("users.getTeams", 200),
    ("users.deleteUser", 200),
    ("users.deleteUser", 200),
    ("users.getUsers", 200),
    ("contactMethods.getContactMethods", 200),
    ("contactMethods.createContactEmail", 200),
    ("contactMethods.createContactPhone", 200),
    ("contactMethods.getContactEmails", 200),
    ("contactMethods.getContactEmail", 200),
    ("contactMethods.getContactPhones", 200),
    ("contactMethods.getContactPhone", 200),
    ("contactMethods.getContactDevices", 200),
    ("contactMethods.getContactDevice", 200),
    ("contactMethods.updateContactDevice", 200),
    ("pagingPolicyValues.getNotificationTypes", 200),
    ("pagingPolicyValues.getContactTypes", 200),
    ("pagingPolicyValues.getTimeoutValues", 200),
    ("userPagingPolicies.getPagingPolicies", 200),
    ("personalPagingPolicies.getPagingPolicy", 200),
    ("personalPagingPolicies.createPolicyStep", 200),
    ("personalPagingPolicies.getPolicyStep", 200),
    ("personalPagingPolicies.createPolicyStepRule", 200),
    ("personalPagingPolicies.updatePolicyStep", 200),
    ("personalPagingPolicies.getPolicyStepRule", 200),
    ("personalPagingPolicies.updatePolicyStepRule", 200),
    ("personalPagingPolicies.deletePolicyStepRule", 200),
    ("contactMethods.deleteContactEmail", 200),
    ("contactMethods.deleteContactPhone", 200),
    ("contactMethods.deleteContactDevice", 200),
    ("teams.getTeams", 200),
    ("teams.addTeam", 200),
    ("teams.getTeam", 200),
    ("teams.updateTeam", 200),
    ("teams.addMember", 200),
    ("teams.addMember", 200),
    ("teams.getMembers", 200),
    ("teams.getAdmins", 200),
    ("teams.removeMember", 200),
    ("teams.removeMember", 200),
    ("escalationPolicies.getPolicies", 200),
    ("escalationPolicies.createPolicy", 200),
    ("escalationPolicies.getPolicy", 200),
    ("routingKeys.getRoutingKeys", 200),
    ("routingKeys.createRoutingKey", 200),
    ("rotations.getRotationGroups", 200),
    ("webhooks.getWebhooks", 200),
    ("scheduledOverrides.getOverrides", 200),
    ("scheduledOverrides.createOverride", 200),
    ("scheduledOverrides.getOverride", 200),
    ("scheduledOverrides.getAssignments", 200),
    ("scheduledOverrides.getAssignment", 200),
    ("scheduledOverrides.updateAssignment", 200),
    ("scheduledOverrides.deleteAssignment", 200),
    ("scheduledOverrides.deleteOverride", 200),
    ("incidents.getIncidents", 200),
    ("alerts.getAlert", 200),
    ("incidents.createIncident", 200),
    ("incidents.ackIncidents", 200),
    ("incidents.rerouteIncidents", 200),
    ("incidents.resolveIncidents", 200),
    ("incidents.ackUserIncidents", 200),
    ("incidents.resolveUserIncidents", 200),
    ("notes.getNotes", 200),
    ("notes.createNote", 200),
    ("notes.updateNote", 200),
    ("notes.deleteNote", 200),
    ("chat.sendChat", 200),
    ("reporting.getShiftChanges", 200),
    ("reporting.getIncidentHistory", 200),
    ("maintenanceMode.startMode", 200),
    ("maintenanceMode.getModeState", 200),
    ("maintenanceMode.endMode", 200),
    ("oncall.createOncallOverride", 200),
    ("oncall.getOncallUsers", 200),
    ("escalationPolicies.deletePolicy", 200),
    ("teams.removeTeam", 200),
    ("teams.getTeams", 200),
]


def _npm_ci() -> None:
    """Install the locked client once; test workers running side by side wait for the first."""
    lock = Path(tempfile.gettempdir()) / "openoncall-npm-client-ci.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        # npm writes this file last: its presence means a complete install.
        if (NODE_DIR / "node_modules" / ".package-lock.json").is_file():
            return
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )


def _seed(api: TestClient, container: Container, org: Org) -> dict[str, Any]:
    """Team Ops: alice holds its weekly rotation now; one policy over it, routing key `ops`,
    a push device for alice, one outgoing webhook and one open incident from an alert."""
    ops = make_ops_team(api, container, org.org_id)
    r = api.post(
        "/api-public/v1/org/routing-keys", json={"routingKey": "ops", "targets": [ops.policy]}
    )
    assert r.status_code == 200, r.text
    r = api.post("/api-ext/v1/user/alice/devices", json={"label": "Pixel", "topic": "alice-pixel"})
    assert r.status_code == 200, r.text
    device_id = r.json()["extId"]
    make_webhook(container, org.org_id, "Status page")
    opened = open_alert_incident(
        container, org.org_id, "db01/disk", routing_key="ops", policies=[ops.policy]
    )
    return {
        "apiId": org.boot.api_id,
        "apiKey": org.boot.api_key,
        "team": ops.team,
        "policy": ops.policy,
        "rotation": ops.rotation,
        "incident": opened.number,
        "alertUuid": opened.alert_uuid,
        "deviceId": device_id,
    }


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_every_call_of_the_npm_client_succeeds(
    api: TestClient, container: Container, org: Org, live_server: LiveServer
) -> None:
    assert container.clock.now() == datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    _npm_ci()
    seed = {"baseUrl": live_server.base_url, **_seed(api, container, org)}

    done = subprocess.run(
        ["node", "drive.js"],
        cwd=NODE_DIR,
        input=json.dumps(seed),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    calls = report["calls"]
    failed = [c for c in calls if not c["ok"]]
    assert failed == [], json.dumps(failed, indent=1)
    assert [(c["method"], c["status"]) for c in calls] == CALLS
    # No method of the client goes uncalled.
    assert sorted(report["methods"]) == sorted({c["method"] for c in calls})
