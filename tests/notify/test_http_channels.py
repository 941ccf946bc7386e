"""SMS/voice, push, webhook and chat channels against a real local HTTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
from typing import Any
from urllib.parse import parse_qs

import pytest

from openoncall.notify.channel import Channel, DeliveryResult, Medium, Notification
from openoncall.notify.chat import ChatChannel
from openoncall.notify.console import ConsoleChannel
from openoncall.notify.egress import EgressPolicy, GuardedBackend
from openoncall.notify.push import PushChannel
from openoncall.notify.sms import TwilioChannel
from openoncall.notify.webhook import WebhookChannel
from tests.notify.sinks import HttpSink, http_server, run_async

LINKS = {"ack_url": "http://oncall.test/ack/1", "resolve_url": "http://oncall.test/resolve/1"}


# The sinks listen on loopback, which outgoing webhooks may reach only when allowlisted.
LOOPBACK = GuardedBackend(EgressPolicy.parse("127.0.0.0/8"))


def note(medium: Medium, to: str, **data: Any) -> Notification:
    return Notification(
        medium=medium,
        to=to,
        subject="CRITICAL: disk & db01",
        body="Incident 42: disk full",
        incident_number="42",
        data=dict(data),
    )


def send_all(channel: Channel, *notifications: Notification) -> list[DeliveryResult]:
    async def scenario() -> list[DeliveryResult]:
        try:
            return [await channel.send(n) for n in notifications]
        finally:
            await channel.aclose()

    return run_async(scenario)


def twilio(medium: Medium, sink: HttpSink) -> TwilioChannel:
    return TwilioChannel(
        medium, base_url=sink.url, account_sid="AC123", auth_token="tok", from_number="+15550000000"
    )


def form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


def refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- SMS and voice ------------------------------------------------------------------------


def test_sms_posts_the_twilio_form_with_basic_auth() -> None:
    with http_server() as sink:
        [result] = send_all(twilio(Medium.SMS, sink), note(Medium.SMS, "+15551234567"))
    assert result == DeliveryResult(True, "sid SM0001")
    [request] = sink.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"AC123:tok").decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(request.body) == {
        "To": "+15551234567",
        "From": "+15550000000",
        "Body": "Incident 42: disk full",
    }


def test_voice_call_reads_the_message_with_twiml() -> None:
    with http_server() as sink:
        [result] = send_all(twilio(Medium.PHONE, sink), note(Medium.PHONE, "+15551234567"))
    assert result.ok
    [request] = sink.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Calls.json"
    assert form(request.body) == {
        "To": "+15551234567",
        "From": "+15550000000",
        "Twiml": '<Response><Say loop="2">CRITICAL: disk &amp; db01. Incident 42: disk full'
        "</Say></Response>",
    }


def test_http_channels_reuse_one_connection() -> None:
    with http_server() as sink:
        results = send_all(
            twilio(Medium.SMS, sink), *(note(Medium.SMS, f"+1555000000{i}") for i in range(5))
        )
    assert all(r.ok for r in results)
    assert len(sink.requests) == 5
    assert len({r.client_port for r in sink.requests}) == 1


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (429, True), (500, True), (503, True)],
    ids=["bad-request", "unauthorized", "throttled", "server-error", "unavailable"],
)
def test_provider_errors_say_whether_to_retry(status: int, retryable: bool) -> None:
    with http_server() as sink:
        sink.default = (status, b'{"message": "nope"}')
        [result] = send_all(twilio(Medium.SMS, sink), note(Medium.SMS, "+15551234567"))
    assert result == DeliveryResult(False, f'HTTP {status}: {{"message": "nope"}}', retryable)


def test_unreachable_provider_is_retryable() -> None:
    channel = TwilioChannel(
        Medium.SMS,
        base_url=f"http://127.0.0.1:{refused_port()}",
        account_sid="AC1",
        auth_token="t",
        from_number="+1",
    )
    [result] = send_all(channel, note(Medium.SMS, "+15551234567"))
    assert not result.ok
    assert result.retryable
    assert result.detail.startswith("ConnectError")


def test_twilio_channel_serves_only_sms_and_phone() -> None:
    with pytest.raises(ValueError, match="sms or phone"):
        TwilioChannel(
            Medium.PUSH, base_url="http://x", account_sid="a", auth_token="b", from_number="c"
        )


# --- push ---------------------------------------------------------------------------------


def test_push_posts_to_the_topic_with_title_priority_and_actions() -> None:
    with http_server() as sink:
        [result] = send_all(PushChannel(sink.url), note(Medium.PUSH, "jdoe-pixel", **LINKS))
    assert result == DeliveryResult(True, "HTTP 200")
    [request] = sink.requests
    assert request.path == "/jdoe-pixel"
    assert request.body == b"Incident 42: disk full"
    headers = {k: request.headers[k] for k in ("title", "priority", "tags", "actions", "click")}
    assert headers == {
        "title": "CRITICAL: disk & db01",
        "priority": "urgent",
        "tags": "rotating_light",
        "actions": "view, Acknowledge, http://oncall.test/ack/1; "
        "view, Resolve, http://oncall.test/resolve/1",
        "click": "http://oncall.test/ack/1",
    }


def test_push_title_that_is_not_ascii_is_rfc2047_encoded() -> None:
    n = Notification(medium=Medium.PUSH, to="t", subject="Störung", body="b")
    with http_server() as sink:
        [result] = send_all(PushChannel(sink.url + "/"), n)
    assert result.ok
    [request] = sink.requests
    assert request.headers["title"] == "=?utf-8?q?St=C3=B6rung?="
    assert "actions" not in request.headers


def test_push_without_topic_fails_for_good() -> None:
    [result] = send_all(PushChannel("http://127.0.0.1:9"), note(Medium.PUSH, ""))
    assert result == DeliveryResult(False, "no push topic", retryable=False)


# --- webhooks -----------------------------------------------------------------------------


def test_webhook_posts_incident_fields_signed_with_the_secret() -> None:
    with http_server() as sink:
        n = note(
            Medium.WEBHOOK,
            f"{sink.url}/hooks/incident",
            incidentNumber="42",
            entityId="disk/db01",
            currentPhase="UNACKED",
            signing_secret="whsec-1",
        )
        [result] = send_all(WebhookChannel(egress=LOOPBACK), n)
    assert result.ok
    [request] = sink.requests
    assert request.path == "/hooks/incident"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "incidentNumber": "42",
        "entityId": "disk/db01",
        "currentPhase": "UNACKED",
        "subject": "CRITICAL: disk & db01",
        "message": "Incident 42: disk full",
    }
    expected = hmac.new(b"whsec-1", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-openoncall-signature"] == f"sha256={expected}"
    assert b"whsec-1" not in request.body


def test_webhook_without_secret_is_unsigned() -> None:
    with http_server() as sink:
        [result] = send_all(WebhookChannel(egress=LOOPBACK), note(Medium.WEBHOOK, sink.url))
    assert result.ok
    [request] = sink.requests
    assert "x-openoncall-signature" not in request.headers
    assert request.json() == {
        "incidentNumber": "42",
        "subject": "CRITICAL: disk & db01",
        "message": "Incident 42: disk full",
    }


def test_webhook_failures() -> None:
    with http_server() as sink:
        sink.replies = [(404, b""), (502, b"bad gateway")]
        results = send_all(
            WebhookChannel(egress=LOOPBACK),
            note(Medium.WEBHOOK, sink.url),
            note(Medium.WEBHOOK, sink.url),
        )
    assert results == [
        DeliveryResult(False, "HTTP 404", retryable=False),
        DeliveryResult(False, "HTTP 502", retryable=True),
    ]
    [bad_url] = send_all(WebhookChannel(egress=LOOPBACK), note(Medium.WEBHOOK, "ftp://x"))
    assert bad_url == DeliveryResult(False, "not an http(s) URL: 'ftp://x'", retryable=False)
    [down] = send_all(
        WebhookChannel(egress=LOOPBACK), note(Medium.WEBHOOK, f"http://127.0.0.1:{refused_port()}")
    )
    assert (down.ok, down.retryable) == (False, True)


# --- chat ---------------------------------------------------------------------------------


def test_chat_posts_slack_text_with_links() -> None:
    with http_server() as sink:
        [result] = send_all(
            ChatChannel(egress=LOOPBACK), note(Medium.CHAT, f"{sink.url}/services/T/B/X", **LINKS)
        )
    assert result.ok
    [request] = sink.requests
    assert request.path == "/services/T/B/X"
    assert json.loads(request.body) == {
        "text": "*CRITICAL: disk & db01*\nIncident 42: disk full\n"
        "<http://oncall.test/ack/1|Acknowledge>\n<http://oncall.test/resolve/1|Resolve>"
    }


def test_chat_with_a_bad_url_fails_for_good() -> None:
    [result] = send_all(ChatChannel(egress=LOOPBACK), note(Medium.CHAT, ""))
    assert result == DeliveryResult(False, "not an http(s) URL: ''", retryable=False)


# --- console ------------------------------------------------------------------------------


def test_console_records_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    channel = ConsoleChannel(Medium.SMS)
    n = note(Medium.SMS, "+15551234567")
    with caplog.at_level(logging.WARNING, logger="openoncall.notify.console"):
        [result] = send_all(channel, n)
    assert result == DeliveryResult(True, "recorded in the log (no sms provider configured)")
    assert list(channel.recent) == [n]
    assert [r.getMessage() for r in caplog.records] == [
        "notification recorded (no sms provider configured): to=+15551234567 "
        "subject=CRITICAL: disk & db01"
    ]
