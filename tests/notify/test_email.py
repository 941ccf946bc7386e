"""The email channel against a real SMTP server (aiosmtpd): content, connection reuse,
reconnects, refusals and authentication."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import socket
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

import pytest

from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.notify.email import EmailChannel, SmtpConfig, build_message
from tests.notify.sinks import SmtpSink, run_async, smtp_server

SENDER = "oncall@openoncall.test"


def page(to: str = "jdoe@example.com", **data: str) -> Notification:
    return Notification(
        medium=Medium.EMAIL,
        to=to,
        subject="CRITICAL: disk full on db01",
        body="Incident 42 needs you.",
        incident_number="42",
        data=dict(data),
    )


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    run_async(scenario)


def parsed(raw: str) -> Message:
    return email.message_from_string(raw)


def channel_for(sink: SmtpSink, userinfo: str = "") -> EmailChannel:
    return EmailChannel(SmtpConfig.from_url(f"smtp://{userinfo}127.0.0.1:{sink.port}"), SENDER)


def test_mail_carries_incident_number_alert_id_and_links() -> None:
    async def scenario() -> None:
        async with smtp_server() as sink:
            channel = channel_for(sink)
            result = await channel.send(
                page(
                    alert_id="a-123",
                    ack_url="http://oncall.test/ack/x",
                    resolve_url="http://oncall.test/resolve/y",
                )
            )
            await channel.aclose()
        assert result == DeliveryResult(True, "Message accepted for delivery")
        [(mail_from, rcpts, raw)] = sink.mails()
        assert (mail_from, rcpts) == (SENDER, ["jdoe@example.com"])
        message = parsed(raw)
        assert message["Subject"] == "[#42] CRITICAL: disk full on db01"
        assert message["From"] == SENDER
        assert message["To"] == "jdoe@example.com"
        assert message["X-OpenOnCall-Incident"] == "42"
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        assert payload.decode().replace("\r\n", "\n") == (  # SMTP line endings
            "Incident 42 needs you.\n\nalert_id: a-123\n\n"
            "Acknowledge: http://oncall.test/ack/x\n\n"
            "Resolve: http://oncall.test/resolve/y\n"
        )

    run(scenario)


def test_body_that_already_has_alert_id_and_links_is_not_repeated() -> None:
    n = Notification(
        medium=Medium.EMAIL,
        to="jdoe@example.com",
        subject="Incident #7 triggered",
        body="alert_id: zz9\nAcknowledge: http://x.test/a",
        incident_number="7",
        data={"alert_id": "zz9", "ack_url": "http://x.test/a"},
    )
    message = build_message(n, SENDER)
    assert message["Subject"] == "Incident #7 triggered"
    assert message.get_content() == "alert_id: zz9\nAcknowledge: http://x.test/a\n"


def test_one_connection_carries_many_mails() -> None:
    async def scenario() -> None:
        async with smtp_server() as sink:
            channel = channel_for(sink)
            results = await asyncio.gather(
                *(channel.send(page(f"user{i}@example.com")) for i in range(20))
            )
            await channel.aclose()
        assert all(r.ok for r in results)
        assert sorted(r[0] for _, r, _ in sink.mails()) == sorted(
            f"user{i}@example.com" for i in range(20)
        )
        assert (sink.connections, channel.connections_opened) == (1, 1)

    run(scenario)


def test_reconnects_when_the_server_dropped_the_connection() -> None:
    async def scenario() -> None:
        async with smtp_server() as sink:
            channel = channel_for(sink)
            assert (await channel.send(page())).ok
            sink.drop_connections()
            await asyncio.sleep(0.01)  # let the close reach the client's transport
            second = await channel.send(page("second@example.com"))
            await channel.aclose()
        assert second.ok
        assert [rcpts for _, rcpts, _ in sink.mails()] == [
            ["jdoe@example.com"],
            ["second@example.com"],
        ]
        assert (sink.connections, channel.connections_opened) == (2, 2)

    run(scenario)


def test_refused_recipient_fails_for_good_and_keeps_the_connection() -> None:
    async def scenario() -> None:
        async with smtp_server() as sink:
            sink.refuse["nobody@example.com"] = "550 5.1.1 No such user"
            sink.refuse["busy@example.com"] = "451 4.3.0 Try again later"
            channel = channel_for(sink)
            refused = await channel.send(page("nobody@example.com"))
            busy = await channel.send(page("busy@example.com"))
            fine = await channel.send(page())
            await channel.aclose()
        assert refused == DeliveryResult(False, "550 5.1.1 No such user", retryable=False)
        assert busy == DeliveryResult(False, "451 4.3.0 Try again later", retryable=True)
        assert fine.ok
        assert [rcpts for _, rcpts, _ in sink.mails()] == [["jdoe@example.com"]]
        assert sink.connections == 1

    run(scenario)


def test_authenticates_with_the_url_credentials() -> None:
    async def scenario() -> None:
        async with smtp_server(credentials=("mailer", "s3cr3t/x")) as sink:
            good = channel_for(sink, "mailer:s3cr3t%2Fx@")
            bad = channel_for(sink, "mailer:wrong@")
            ok = await good.send(page())
            refused = await bad.send(page())
            await good.aclose()
            await bad.aclose()
        assert ok.ok
        assert not refused.ok
        assert not refused.retryable
        assert refused.detail.startswith("535")
        assert len(sink.mails()) == 1

    run(scenario)


def test_unreachable_server_is_a_retryable_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: connections are refused

        async def scenario() -> None:
            channel = EmailChannel(SmtpConfig.from_url(f"smtp://127.0.0.1:{port}"), SENDER)
            result = await channel.send(page())
            await channel.aclose()
            assert not result.ok
            assert result.retryable
            assert channel.connections_opened == 0

        run(scenario)


def test_not_an_address_fails_without_connecting() -> None:
    async def scenario() -> None:
        channel = EmailChannel(SmtpConfig.from_url("smtp://127.0.0.1:1"), SENDER)
        result = await channel.send(page("not-an-address"))
        await channel.aclose()
        assert result == DeliveryResult(False, "not an email address: 'not-an-address'", False)

    run(scenario)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.test", SmtpConfig("mail.test", 25)),
        (
            "smtp://user:p%40ss@mail.test:587?starttls=1",
            SmtpConfig("mail.test", 587, "user", "p@ss", start_tls=True),
        ),
        ("smtps://mail.test", SmtpConfig("mail.test", 465, use_tls=True)),
        ("smtp://mail.test:2525?timeout=3", SmtpConfig("mail.test", 2525, timeout_seconds=3.0)),
    ],
    ids=["plain", "starttls-with-auth", "implicit-tls", "timeout"],
)
def test_smtp_url_parsing(url: str, expected: SmtpConfig) -> None:
    assert SmtpConfig.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.test", "smtp://"], ids=["scheme", "no-host"])
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP URL"):
        SmtpConfig.from_url(url)


def test_every_attempt_of_one_delivery_has_one_message_id() -> None:
    """Mail systems drop a message whose Message-ID they already hold, so a resend after an
    engine stopped mid-send reaches the inbox once."""

    async def scenario() -> None:
        async with smtp_server() as sink:
            channel = channel_for(sink)
            for _ in range(2):
                notification = dataclasses.replace(page(), idempotency_key="0123abcd" * 4)
                assert (await channel.send(notification)).ok
            assert (await channel.send(page())).ok
            await channel.aclose()
        ids = [parsed(raw)["Message-ID"] for _, _, raw in sink.mails()]
        assert ids == ["<0123abcd0123abcd0123abcd0123abcd@openoncall.test>"] * 2 + [None]

    run(scenario)
