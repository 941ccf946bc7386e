"""In a real browser: an alert posted to the REST endpoint appears on the timeline without a
reload and is acknowledged from it; bulk resolve; the incident page at phone width."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import Org
from tests.web.browser import screenshot, sign_in
from tests.web.conftest import PASSWORD

ALERT_PATH = "/integrations/generic/20131114/alert"


def _post_alert(live_server: str, org: Org, entity: str, name: str) -> None:
    response = httpx.post(
        f"{live_server}{ALERT_PATH}/{org.boot.rest_endpoint_key}/database",
        json={
            "message_type": "CRITICAL",
            "entity_id": entity,
            "entity_display_name": name,
            "state_message": "/var is 97% full",
            "monitoring_tool": "nagios",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"result": "success", "entity_id": entity}


def test_alert_appears_live_and_is_acknowledged(page: Page, org: Org, live_server: str) -> None:
    sign_in(page, "admin", PASSWORD)
    page.goto("/timeline")
    expect(page.locator(".empty")).to_contain_text("All quiet")
    _post_alert(live_server, org, "disk/db01", "Disk almost full on db01")
    row = page.locator("#incident-1")
    # No reload: the list polls every few seconds.
    expect(row).to_contain_text("Disk almost full on db01", timeout=10_000)
    expect(row).to_contain_text("Triggered")
    screenshot(page, "timeline")
    row.get_by_role("button", name="Acknowledge incident 1").click()
    expect(row).to_contain_text("Acknowledged")
    expect(row).to_contain_text("acked by admin")
    page.goto("/incidents/1")
    expect(page.locator("#phase")).to_have_text("Acknowledged")
    expect(page.locator("#incident-events")).to_contain_text("admin")
    page.locator("details.card summary").first.click()
    expect(page.locator("details.card pre")).to_contain_text('"entity_id": "disk/db01"')
    page.get_by_label("Note", exact=True).fill("Rotated the logs; watching.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("ul.notes")).to_contain_text("Rotated the logs; watching.")
    screenshot(page, "incident")


def test_bulk_resolve(page: Page, org: Org, live_server: str) -> None:
    for n in range(3):
        _post_alert(live_server, org, f"cpu/web0{n}", f"CPU high on web0{n}")
    sign_in(page, "admin", PASSWORD)
    page.goto("/timeline")
    for number in (1, 2):
        page.get_by_label(f"Select incident {number}").check()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Resolve selected").click()
    expect(page.locator(".flash")).to_contain_text("Incident 1 resolved")
    expect(page.locator("#incident-1")).to_contain_text("Resolved")
    expect(page.locator("#incident-2")).to_contain_text("Resolved")
    expect(page.locator("#incident-3")).to_contain_text("Triggered")
    page.get_by_label("Phase").select_option("UNACKED")
    expect(page.locator("#incident-1")).to_have_count(0)
    expect(page.locator("#incident-3")).to_be_visible()
    assert "phase=UNACKED" in page.url


def test_timeline_at_phone_width(phone_page: Page, org: Org, live_server: str) -> None:
    _post_alert(live_server, org, "disk/db02", "Disk almost full on db02")
    sign_in(phone_page, "admin", PASSWORD)
    phone_page.goto("/timeline")
    expect(phone_page.locator("#incident-1")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "timeline-phone")
    phone_page.locator("#incident-1").get_by_role("button", name="Resolve incident 1").click()
    expect(phone_page.locator("#incident-1")).to_contain_text("Resolved")
