"""/api-docs in a real browser (Debian's Chromium): Authorize with both headers, Try it out.

Uses the one session-wide browser of tests/web (conftest): a second sync Playwright in the
same worker would fail.

Every request the page makes must go to this server; the operation's Execute must reach the
API with both headers and show its 200 answer.
"""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Request, expect

from tests.conftest import Org
from tests.web.browser import assert_no_csp_violations, watch_csp


def test_authorize_then_try_it_out_in_chromium(
    browser: Browser,
    live_server: str,
    org: Org,
) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign: list[str] = []
    api_calls: list[dict[str, str]] = []

    def on_request(request: Request) -> None:
        if not request.url.startswith((live_server, "data:", "blob:")):
            foreign.append(request.url)
        if "/api-public/v1/policies/types/timeouts" in request.url:
            api_calls.append(request.headers)

    page.on("request", on_request)
    watch_csp(page)
    page.set_default_timeout(30_000)
    page.goto("/api-docs")
    expect(page.locator(".information-container .title")).to_contain_text(
        "OpenOnCall API", timeout=30_000
    )

    page.locator("button.authorize").first.click()
    dialog = page.locator(".dialog-ux .modal-ux")
    for name, value in org.headers.items():
        block = dialog.locator(".auth-container", has_text=name)
        block.locator("input").fill(value)
        block.locator("button.authorize").click()
    dialog.locator("button.btn-done").first.click()

    op = page.locator(
        "#operations-Paging_Policies-get_timeout_types_api_public_v1_policies_types_timeouts_get"
    )
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    op.locator("button.execute").click()
    expect(op.locator(".live-responses-table tr.response .response-col_status").first).to_have_text(
        "200"
    )
    body = op.locator(".live-responses-table .microlight").first.inner_text()
    assert json.loads(body)["_selfUrl"] == "/api-public/v1/policies/types/timeouts"

    assert api_calls, "Execute sent no request"
    headers = {k.lower(): v for k, v in api_calls[-1].items()}
    assert headers["x-vo-api-id"] == org.boot.api_id
    assert headers["x-vo-api-key"] == org.boot.api_key
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert_no_csp_violations(page)
