"""Pages a newcomer walks through on day one: the team page's title, the on-call page's
shift end and who is next, and the form errors that name their field."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.api.scheduling_builders import ShiftSpec, make_policy, make_rotation, make_team
from tests.conftest import T0, Org
from tests.web.conftest import add_user, sign_in


def test_team_title_is_the_name_only_even_with_a_feed_link(
    client: TestClient, org: Org, container: Container
) -> None:
    team = make_team(container, org.org_id, "Ops", ["admin"])
    csrf = sign_in(client, "admin")
    page = client.get(f"/teams/{team}")
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title is not None
    assert title.group(1) == "Ops · OpenOnCall"
    feed = client.post(f"/teams/{team}/calendar", data={"csrf_token": csrf})
    assert feed.status_code == 200
    title = re.search(r"<title>(.*?)</title>", feed.text, re.S)
    assert title is not None
    assert title.group(1) == "Ops · OpenOnCall"
    assert feed.text.count('id="team-feed-url"') == 1  # in the page, once, not in the title


def test_oncall_page_shows_shift_end_and_who_is_next(
    client: TestClient, org: Org, container: Container, api: TestClient
) -> None:
    add_user(container, org, "alice")
    add_user(container, org, "bob")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    # Daily handoffs at 09:00 UTC, alice first (since T0 - 3 h = 09:00 on T0's day).
    rotation = make_rotation(
        container,
        org.org_id,
        team,
        "Primary",
        [ShiftSpec("day", "UTC", T0 - timedelta(hours=3), ["alice", "bob"], handoff_days=1)],
    )
    make_policy(api, team, "Ops primary", [rotation])
    client.headers.clear()
    sign_in(client, "alice")
    page = client.get("/oncall").text
    assert re.search(
        r'>alice</a>\s*<span class="shift">until <time datetime="2026-01-06T09:00:00\+00:00">'
        r"2026-01-06 09:00 UTC</time>, then bob</span>",
        page,
    ), page


def test_form_errors_come_back_naming_their_field(client: TestClient, org: Org) -> None:
    csrf = sign_in(client, "admin")
    # app.js sends X-OpenOnCall-Form: the answer is a fragment naming the field, not a page.
    refused = client.post(
        "/teams",
        data={"name": "", "csrf_token": csrf},
        headers={"X-OpenOnCall-Form": "1"},
    )
    assert refused.status_code == 400, refused.text
    assert "<html" not in refused.text
    assert 'class="error"' in refused.text
    assert "data-field=" in refused.text
    # A success is a redirect app.js follows itself.
    made = client.post(
        "/teams", data={"name": "Ops", "csrf_token": csrf}, headers={"X-OpenOnCall-Form": "1"}
    )
    assert made.status_code == 204
    assert made.headers["HX-Redirect"].startswith("/teams")


def test_the_default_routing_key_pages_nobody_until_given_a_policy(
    client: TestClient, org: Org, container: Container, api: TestClient
) -> None:
    team = make_team(container, org.org_id, "Ops", ["admin"])
    policy = make_policy(api, team, "Ops", [])
    client.headers.clear()
    csrf = sign_in(client, "admin")
    page = client.get("/routing").text
    assert "pages nobody until you give it a policy" in page
    assert "none: alerts are recorded, nobody is paged" in page
    saved = client.post(
        "/routing/default/policies",
        data={"policy": [policy], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    keys = api.get("/api-public/v1/org/routing-keys", headers=org.headers).json()
    (default,) = [k for k in keys["routingKeys"] if k["routingKey"] == "default"]
    assert [t["policySlug"] for t in default["targets"]] == [policy]
    # Nothing chosen: it pages nobody again.
    client.post("/routing/default/policies", data={"csrf_token": csrf})
    keys = api.get("/api-public/v1/org/routing-keys", headers=org.headers).json()
    (default,) = [k for k in keys["routingKeys"] if k["routingKey"] == "default"]
    assert default["targets"] == []
