"""Forms in Debian's Chromium: an error shows at its field and what was typed stays; the
routing key's pattern is one Chromium accepts (it compiles `pattern` with the /v flag);
/api-docs fits a 390 px phone."""

from __future__ import annotations

from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from openoncall.container import Container
from tests.api.scheduling_builders import make_policy, make_team
from tests.conftest import Org
from tests.web.browser import sign_in
from tests.web.conftest import PASSWORD, add_user


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_an_error_shows_at_its_field_and_the_form_keeps_what_was_typed(
    page: Page, org: Org, container: Container
) -> None:
    add_user(container, org, "bob")
    errors = _console_errors(page)
    sign_in(page, "admin", PASSWORD)
    page.goto("/people")
    page.get_by_text("Add a user").click()
    form = page.locator("#new-user-form")
    form.get_by_label("Username").fill("bob")  # taken
    form.get_by_label("First name").fill("Robert")
    form.get_by_label("Last name").fill("Second")
    form.get_by_label("Email").fill("robert@acme.example")
    form.get_by_role("button").first.click()
    message = form.locator(".field-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("bob")
    username = form.get_by_label("Username")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(username).to_be_focused()
    # Still this page, with everything as typed.
    assert page.url.endswith("/people")
    expect(form.get_by_label("First name")).to_have_value("Robert")
    expect(form.get_by_label("Email")).to_have_value("robert@acme.example")
    # Corrected, it goes through: the answer (the new user's page with their set-password
    # link, no SMTP here) replaces this one.
    username.fill("robert")
    form.get_by_role("button").first.click()
    expect(page.locator("#invite-link")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Robert Second")
    # The refused POST is the one failed load.
    assert [e for e in errors if "status of 422" not in e] == [], errors


def test_routing_key_pattern_is_valid_in_chromium(
    page: Page, org: Org, container: Container, api: TestClient
) -> None:
    team = make_team(container, org.org_id, "Ops", ["admin"])
    make_policy(api, team, "Ops", [])
    errors = _console_errors(page)
    sign_in(page, "admin", PASSWORD)
    page.goto("/routing")
    key = page.locator('input[name="key"]')
    key.fill("db/primary")
    assert key.evaluate("el => el.validity.patternMismatch") is True
    key.fill("db primary")
    assert key.evaluate("el => el.validity.patternMismatch") is True
    key.fill("database")
    assert key.evaluate("el => el.checkValidity()") is True
    assert not [e for e in errors if "pattern" in e.lower()], errors


def test_api_docs_fit_a_phone(browser: Browser, live_server: str, org: Org) -> None:
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/api-docs")
    expect(page.locator(".information-container .title")).to_be_visible(timeout=30_000)
    page.locator(".opblock").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"/api-docs scrolls sideways at 390 px ({width} px)"
    context.close()


def test_time_zone_pickers_start_at_the_browsers_zone(
    browser: Browser, live_server: str, org: Org, container: Container
) -> None:
    make_team(container, org.org_id, "Ops", ["admin"])
    context = browser.new_context(base_url=live_server, timezone_id="America/Chicago")
    page = context.new_page()
    sign_in(page, "admin", PASSWORD)
    page.goto("/rotations")
    expect(page.locator('select[name="timezone"]').first).to_have_value("America/Chicago")
    page.goto("/overrides")
    expect(page.locator('select[name="timezone"]').first).to_have_value("America/Chicago")
    context.close()


def test_tabs_that_scroll_on_a_phone_say_so(phone_page: Page, org: Org) -> None:
    page = phone_page
    sign_in(page, "admin", PASSWORD)
    page.goto("/policies")
    tabs = page.locator("nav.tabs")
    scrolls = tabs.evaluate("el => el.scrollWidth > el.clientWidth + 1")
    hint = page.locator(".tabs-hint")
    assert scrolls  # four configuration tabs do not fit 390 px
    expect(hint).to_contain_text("swipe them sideways")
    for link in tabs.locator("a").all():
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= 44
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(hint).to_have_count(0)
