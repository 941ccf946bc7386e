"""The README's walk-through, as written, on a fresh database: `openoncall serve` sending
through a real SMTP server (aiosmtpd), the README's shell block run by bash as it stands
(only the port differs), then the first page's ack link opened in Debian's Chromium at
phone width and acknowledged.

OPENONCALL_BASE_URL is left unset, as in the README: the link in the email must carry the
port `serve` was given.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.engine.servers import SmtpSink, free_port, smtp_server
from tests.web.browser import assert_no_csp_violations, watch_csp

README = Path(__file__).resolve().parents[2] / "README.md"
EXE = str(Path(sys.executable).with_name("openoncall"))
PASSWORD = "tarmac-lantern-quiver-42"
MARKER = "<!-- walk-through:"
_LINK = re.compile(r"https?://[^\s\"'<>]+/links/[A-Za-z0-9._~%-]+")


def walkthrough_block() -> str:
    """The first ```sh block after the walk-through marker in README.md."""
    text = README.read_text()
    assert MARKER in text, "README.md lost its walk-through marker"
    after = text[text.index(MARKER) :]
    match = re.search(r"```sh\n(.*?)\n```", after, re.S)
    assert match is not None
    return match.group(1)


def _env(**extra: str) -> dict[str, str]:
    # The README's terminal: no OPENONCALL_* settings but the ones it shows.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENONCALL_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A checkout's shape: `.venv/bin/openoncall` (this interpreter's) and no database yet."""
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "openoncall").symlink_to(EXE)
    (bin_dir / "python").symlink_to(sys.executable)
    return tmp_path


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
def served(home: Path, sink: SmtpSink) -> Iterator[str]:
    """Terminal 1: `OPENONCALL_SMTP_URL=smtp://127.0.0.1:PORT openoncall serve --port P`."""
    port = free_port()
    log = (home / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(home / ".venv/bin/openoncall"), "serve", "--port", str(port)],
        cwd=home,
        env=_env(OPENONCALL_SMTP_URL=f"smtp://127.0.0.1:{sink.port}"),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (home / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not answer within 90 s"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _text_of(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(texts)


def _first_ack_link(sink: SmtpSink, timeout: float = 60.0) -> tuple[list[str], str]:
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        sink.wait_for(seen + 1, timeout=max(0.1, deadline - time.monotonic()))
        with sink.cond:
            mails = list(sink.items)
        for mail in mails[seen:]:
            for link in _LINK.findall(_text_of(mail.message)):
                if "/links/" in link:
                    return mail.to, link
        seen = len(mails)
    raise AssertionError(f"no email with an ack link within {timeout} s ({seen} mails)")


def test_readme_walkthrough_to_the_first_page_and_its_ack_link(
    browser: Browser, home: Path, sink: SmtpSink, served: str
) -> None:
    if shutil.which("jq") is None:
        pytest.fail("the README walk-through uses jq: apt-get install -y jq")
    port = served.rsplit(":", 1)[1]
    script = walkthrough_block().replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    # Terminal 3, as a reader would paste it; the password prompt reads what is typed.
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=home,
        env=_env(),
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        start_new_session=True,  # no controlling terminal: the prompt reads stdin
    )
    assert done.returncode == 0, done.stdout + done.stderr
    boot = json.loads((home / "acme.json").read_text())
    assert {"apiId", "apiKey", "restEndpointKey"} <= boot.keys()
    headers = {"X-VO-Api-Id": boot["apiId"], "X-VO-Api-Key": boot["apiKey"]}
    # The alert opened incident 1 (the curl's answer is the endpoint's JSON).
    assert '"result":"success"' in done.stdout.replace(" ", ""), done.stdout

    # 8. The email arrives, to whoever is on call this week, with a link on --port.
    to, link = _first_ack_link(sink)
    oncall = httpx.get(f"{served}/api-public/v1/oncall/current", headers=headers, timeout=10)
    assert oncall.status_code == 200, oncall.text
    on_call_now = {
        entry["onCalluser"]["username"]
        for team in oncall.json()["teamsOnCall"]
        for entry in team["oncallNow"]
        for entry in entry.get("users", [])
    }
    assert len(on_call_now) == 1, oncall.text
    assert to == [f"{on_call_now.pop()}@example.com"]
    assert link.startswith(f"{served}/links/"), link

    # 9. Ack from the link, on a phone.
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    watch_csp(page)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Acknowledge incident #1?")
    expect(page.locator("main")).to_contain_text("Disk almost full on db01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button = page.get_by_role("button", name="Acknowledge")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= 300  # a big target on a phone
    to_incident = page.get_by_role("link", name="Open incident #1")
    expect(to_incident).to_have_attribute("href", "/incidents/1")
    button.click()
    expect(page.locator("h1")).to_have_text("Incident #1 is ACKED")
    assert_no_csp_violations(page)

    incidents = httpx.get(f"{served}/api-public/v1/incidents", headers=headers, timeout=10)
    (incident,) = incidents.json()["incidents"]
    assert incident["currentPhase"] == "ACKED"

    # The link to the incident: sign in as ada, land on it.
    page.get_by_role("link", name="Open incident #1").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/incidents/1")
    expect(page.locator("#phase")).to_have_text("Acknowledged")
    context.close()
