"""Conditional GET: ETag on on-call now, schedules and calendar feeds; 304 when unchanged."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.api.scheduling_builders import OpsTeam, make_ops_team
from tests.conftest import Org

FEEDS = "/api-ext/v1/calendar"


@pytest.fixture
def ops(api: TestClient, container: Container, org: Org) -> OpsTeam:
    return make_ops_team(api, container, org.org_id)


def _paths(api: TestClient, ops: OpsTeam) -> list[str]:
    feed = api.post(f"{FEEDS}/team/{ops.team}").json()["path"]
    user_feed = api.post(f"{FEEDS}/user/alice").json()["path"]
    return [
        "/api-public/v1/oncall/current",
        "/api-public/v1/oncall/current?limit=1",
        f"/api-public/v2/team/{ops.team}/oncall/schedule",
        f"/api-public/v1/team/{ops.team}/oncall/schedule",
        "/api-public/v2/user/alice/oncall/schedule",
        "/api-public/v1/user/alice/oncall/schedule",
        feed,
        user_feed,
    ]


def test_an_unchanged_answer_is_304_and_a_changed_one_is_sent_with_a_new_tag(
    api: TestClient, ops: OpsTeam
) -> None:
    paths = _paths(api, ops)
    first = {p: api.get(p) for p in paths}
    for path, r in first.items():
        assert r.status_code == 200, (path, r.text)
        tag = r.headers["etag"]
        assert tag.startswith('"')
        assert tag.endswith('"')
        again = api.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["etag"] == tag
        # A weak form of the tag, or one among several, matches too; another tag does not.
        assert api.get(path, headers={"If-None-Match": f'"x", W/{tag}'}).status_code == 304
        other = api.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200
        assert other.content == r.content or path.endswith(".ics")  # DTSTAMP moves
    # Hand the on-call to bob: every answer changes, and so does its tag.
    r = api.patch(
        f"/api-public/v1/policies/{ops.policy}/oncall/user",
        json={"fromUser": "alice", "toUser": "bob"},
    )
    assert r.status_code == 200, r.text
    for path, before in first.items():
        after = api.get(path, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200, path
        assert after.headers["etag"] != before.headers["etag"]
        assert after.content != before.content
