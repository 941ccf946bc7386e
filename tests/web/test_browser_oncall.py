"""In a real browser: Take On-Call changes who is on call; schedules mark the take; overrides
are created with an explicit time zone and assigned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from openoncall.container import Container
from tests.api.scheduling_builders import ShiftSpec, make_policy, make_rotation, make_team
from tests.conftest import T0, Org
from tests.web.browser import screenshot, sign_in
from tests.web.conftest import PASSWORD, add_user


@pytest.fixture
def ops(container: Container, org: Org, api: TestClient) -> str:
    """Team Ops whose policy "Ops primary" has alice on call now (weekly, alice then bob)."""
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
    return make_policy(api, team, "Ops primary", [rotation])


def test_take_oncall_changes_who_is_on_call(page: Page, org: Org, ops: str) -> None:
    sign_in(page, "bob", PASSWORD)
    page.goto("/oncall")
    policy = page.locator(f"#policy-{ops}")
    # Who is on call (the links), each with the end of their shift and who is next.
    expect(policy.locator(".oncall-users > li > a")).to_have_text(["alice"])
    expect(policy.locator(".oncall-users .shift")).to_contain_text("then bob")
    screenshot(page, "oncall")
    policy.get_by_role("button", name="Take On-Call from alice for Ops primary").click()
    expect(page.locator(".flash")).to_contain_text("You took on-call from alice")
    users = page.locator(f"#policy-{ops} .oncall-users")
    expect(users.locator("li > a")).to_have_text(["bob"])
    expect(users).to_contain_text("you")
    page.goto("/schedules")
    first = page.locator("table.schedule tbody tr").first
    expect(first).to_contain_text("bob")
    expect(first.locator(".badge.override")).to_have_text("take")
    expect(first).to_contain_text("for alice")
    screenshot(page, "schedules")


def test_override_with_time_zone_and_assignment(page: Page, org: Org, ops: str) -> None:
    sign_in(page, "admin", PASSWORD)
    page.goto("/overrides")
    expect(page.locator(".empty")).to_contain_text("No current or upcoming overrides")
    page.get_by_label("Who is away").select_option("alice")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Start (local time in that zone)").fill("2026-01-06T09:00")
    page.get_by_label("End (local time in that zone)").fill("2026-01-06T18:00")
    page.get_by_role("button", name="Create override").click()
    expect(page.locator(".flash")).to_contain_text("Override for alice created with 1 policy")
    card = page.locator("section.card").first
    expect(card).to_contain_text("entered in Europe/Paris")
    card.get_by_label(f"Stand-in for {ops}").select_option("bob")
    card.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash")).to_contain_text("goes to bob")
    expect(page.locator("section.card").first.get_by_label(f"Stand-in for {ops}")).to_have_value(
        "bob"
    )
    page.goto("/schedules")
    expect(page.locator("table.schedule")).to_contain_text("override")
