"""Every page in a real browser, at desktop and at phone width (390 px): it renders without
script errors, loads nothing from another host, never scrolls sideways on the phone, and can
be reached by keyboard. Also writes the README's screenshots when asked (browser.py)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from openoncall.container import Container
from tests.api.scheduling_builders import ShiftSpec, make_policy, make_rotation, make_team
from tests.conftest import T0, Org
from tests.web.browser import screenshot, sign_in
from tests.web.conftest import PASSWORD, add_user

PAGES = [
    ("/timeline", "Timeline"),
    ("/incidents/1", "#1"),
    ("/oncall", "Who is on call"),
    ("/schedules", "Team schedules"),
    ("/rotations", "Rotations"),
    ("/overrides", "Scheduled overrides"),
    ("/people", "People"),
    ("/people/alice", "Alice Tester"),
    ("/teams", "Teams"),
    ("/policies", "Escalation policies"),
    ("/routing", "Routing keys"),
    ("/rules", "Alert rules"),
    ("/maintenance", "Maintenance mode"),
    ("/webhooks", "Outgoing webhooks"),
    ("/reports", "Reports"),
    ("/integrations/api", "Integrations"),
    ("/integrations/rest", "Integrations"),
    ("/account/password", "Change password"),
]


@pytest.fixture
def ground(container: Container, org: Org, api: TestClient, live_server: str) -> None:
    """A team with a rotation, a policy behind routing key `db`, and one open incident."""
    add_user(container, org, "alice")
    add_user(container, org, "bob")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    rotation = make_rotation(
        container,
        org.org_id,
        team,
        "Primary",
        [ShiftSpec("week", "Europe/Paris", T0 - timedelta(days=1), ["alice", "bob"])],
    )
    policy = make_policy(api, team, "Ops primary", [rotation])
    key = api.post(
        "/api-public/v1/org/routing-keys", json={"routingKey": "db", "targets": [policy]}
    )
    assert key.status_code == 200, key.text
    sent = httpx.post(
        f"{live_server}/integrations/generic/20131114/alert/{org.boot.rest_endpoint_key}/db",
        json={
            "message_type": "CRITICAL",
            "entity_id": "disk/db01",
            "entity_display_name": "Disk almost full on db01",
            "state_message": "/var is 97% full",
        },
    )
    assert sent.status_code == 200


def _visit_all(page: Page, *, phone: bool) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, "admin", PASSWORD)
    for path, heading in PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        expect(page.locator("h1")).to_contain_text(heading)
        if phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways at 390 px ({width} px)"
        name = path.strip("/").replace("/", "-") or "home"
        if path in ("/people", "/reports", "/policies", "/rotations", "/integrations/rest"):
            screenshot(page, name + ("-phone" if phone else ""))
    assert errors == []


def test_every_page_at_desktop_width(page: Page, org: Org, ground: None) -> None:
    _visit_all(page, phone=False)


def test_every_page_at_phone_width(phone_page: Page, org: Org, ground: None) -> None:
    _visit_all(phone_page, phone=True)


def test_keyboard_only_sign_in_and_menu(phone_page: Page, org: Org) -> None:
    page = phone_page
    page.goto("/login")
    page.keyboard.type("admin")  # the username field has autofocus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/timeline")
    # The phone menu opens from the keyboard and its links are reachable with Tab.
    page.locator("details.menu summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.menu nav")).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Timeline"


def test_behaviour_lives_in_app_js(page: Page, org: Org, ground: None) -> None:
    """What inline handlers did (the CSP now refuses those) still works: selects submit their
    form, "Go back" goes back, and the timeline does not poll while a box is ticked."""
    sign_in(page, "admin", PASSWORD)
    page.goto("/reports")
    page.get_by_label("Period").select_option("7")
    page.wait_for_url("**/reports?*days=7*")
    missing = page.goto("/incidents/99")
    assert missing is not None
    assert missing.status == 404
    page.get_by_role("link", name="Go back").click()
    page.wait_for_url("**/reports?*days=7*")

    polls: list[str] = []
    page.on(
        "request",
        lambda request: (
            polls.append(request.url)
            if request.headers.get("hx-target") == "incident-list"
            else None
        ),
    )
    page.goto("/timeline")
    page.get_by_label("Select incident 1").check()
    polls.clear()
    page.wait_for_timeout(4_000)
    assert polls == []
    page.get_by_label("Select incident 1").uncheck()
    page.wait_for_timeout(4_000)
    assert polls != []
