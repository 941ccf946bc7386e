"""A live server (uvicorn in a thread, 127.0.0.1:0) and Debian's Chromium driven by Playwright.

Never a downloaded browser: Chromium comes from apt (`.ci/run` installs it when missing).
Set OPENONCALL_SCREENSHOTS=docs/screenshots to write the README's screenshots while the
browser tests run.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Per module, not per session: while Playwright's sync API is open it keeps an asyncio loop
# running in this thread, and a later test of the same worker calling asyncio.run() fails.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does this)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _open_page(browser: Browser, live_server: str, width: int, height: int) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, viewport={"width": width, "height": height}, has_touch=width < 500
    )
    page = context.new_page()
    watch_csp(page)
    # No page may load anything from another host.
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith((live_server, "data:", "blob:"))
            else None
        ),
    )
    yield page
    context.close()
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert_no_csp_violations(page)


_CSP_VIOLATIONS = "csp_violations"


def watch_csp(page: Page) -> None:
    """Record every Content-Security-Policy refusal (Chromium reports it on the console)."""
    refused: list[str] = []
    setattr(page, _CSP_VIOLATIONS, refused)
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )


def assert_no_csp_violations(page: Page) -> None:
    refused = getattr(page, _CSP_VIOLATIONS)
    assert refused == [], f"refused by the page's CSP: {refused}"


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _open_page(browser, live_server, 1280, 900)


@pytest.fixture
def phone_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A 390 px wide phone screen."""
    yield from _open_page(browser, live_server, 390, 844)


def screenshot(page: Page, name: str) -> None:
    """Writes docs/screenshots/<name>.png when OPENONCALL_SCREENSHOTS names the folder."""
    folder = os.environ.get("OPENONCALL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
