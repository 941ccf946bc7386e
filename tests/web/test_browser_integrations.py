"""In a real browser: sign-in, API keys (read-only GET works, POST refused), admin-only keys,
and the API page at phone width."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from openoncall.container import Container
from tests.conftest import Org
from tests.web.browser import screenshot, sign_in
from tests.web.conftest import PASSWORD, add_user


def test_sign_in_shows_api_page_and_sign_out(page: Page, org: Org) -> None:
    page.goto("/integrations/api")
    expect(page).to_have_url(page.url)  # redirected to the sign-in form
    assert "/login?next=" in page.url
    screenshot(page, "login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="Wrong username")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/integrations/api")
    expect(page.locator("#api-id")).to_have_text(org.boot.api_id)
    expect(page.get_by_role("link", name="Read the API Documentation")).to_have_attribute(
        "href", "/api-docs"
    )
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto("/integrations/api")
    assert "/login" in page.url


def test_read_only_key_from_the_page(page: Page, org: Org, live_server: str) -> None:
    sign_in(page, "admin", PASSWORD)
    page.goto("/integrations/api")
    page.get_by_label("Label").fill("grafana")
    page.get_by_label("Read-only").check()
    page.get_by_role("button", name="New Key").click()
    secret = page.locator("#new-key-secret").inner_text().strip()
    assert len(secret) > 20
    expect(page.locator("#new-key")).to_contain_text("read-only")
    row = page.locator("tr", has_text="grafana")
    expect(row).to_contain_text("Read-only")
    expect(row).to_contain_text("admin")
    screenshot(page, "integrations-api")
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": secret}
    with httpx.Client(base_url=live_server, headers=headers) as api:
        got = api.get("/api-public/v1/team")
        assert got.status_code == 200, got.text
        assert isinstance(got.json(), list)
        refused = api.post("/api-public/v1/team", json={"name": "Ops"})
        assert refused.status_code == 403
        assert refused.json()["error"] == (
            "This API key is read-only: only GET requests are allowed"
        )
    # The tally reaches the table after the usage flush (every 50 ms in tests): one call, as
    # the refused POST never passed authentication.
    row = page.locator("tr", has_text="grafana")
    for _ in range(50):
        page.goto("/integrations/api")
        if row.locator("td[data-label='Total calls']").inner_text() == "1":
            break
    expect(row.locator("td[data-label='Calls today']")).to_have_text("1")
    expect(row.locator("td[data-label='Last used']")).not_to_have_text("never")
    expect(page.locator("body")).not_to_contain_text(secret)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="grafana").get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash")).to_contain_text("is revoked")
    expect(page.locator("tr", has_text="grafana")).to_have_count(0)


def test_non_admin_cannot_create_keys(
    page: Page, org: Org, container: Container, live_server: str
) -> None:
    add_user(container, org, "bob")
    sign_in(page, "bob", PASSWORD)
    page.goto("/integrations/api")
    expect(page.locator("#api-id")).to_have_text(org.boot.api_id)
    expect(page.get_by_role("button", name="New Key")).to_have_count(0)
    expect(page.get_by_text("Only admins can create or revoke API keys")).to_be_visible()
    # Forging the form in the browser (with a valid CSRF token) is refused by the server.
    status = page.evaluate(
        """async () => {
            const token = document.querySelector('meta[name=csrf-token]').content;
            const body = new URLSearchParams({label: 'sneaky', csrf_token: token});
            const response = await fetch('/integrations/api/keys', {method: 'POST', body});
            return response.status;
        }"""
    )
    assert status == 403


def test_phone_width(phone_page: Page, org: Org) -> None:
    page = phone_page
    sign_in(page, "admin", PASSWORD)
    for path in ("/integrations/api", "/integrations/rest"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways at 390 px ({width} px)"
    page.goto("/integrations/api")
    page.get_by_role("button", name="New Key").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#new-key-secret")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "integrations-api-phone")
