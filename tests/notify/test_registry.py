"""build_channels: real adapters where settings configure a provider, the console elsewhere."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from openoncall.notify.channel import Channel, Medium, Notification
from openoncall.notify.chat import ChatChannel
from openoncall.notify.console import ConsoleChannel
from openoncall.notify.email import EmailChannel
from openoncall.notify.push import PushChannel
from openoncall.notify.registry import build_channels
from openoncall.notify.sms import TwilioChannel
from openoncall.notify.webhook import WebhookChannel
from openoncall.settings import Settings
from tests.notify.sinks import http_server, run_async, smtp_server


def kinds(channels: dict[Medium, Channel]) -> dict[Medium, tuple[str, Medium]]:
    return {medium: (type(c).__name__, c.medium) for medium, c in channels.items()}


def close(channels: dict[Medium, Channel]) -> None:
    async def scenario() -> None:
        for channel in channels.values():
            await channel.aclose()

    run_async(scenario)


def test_unconfigured_media_fall_back_to_the_console() -> None:
    channels = build_channels(Settings())
    try:
        assert kinds(channels) == {
            Medium.WEBHOOK: ("WebhookChannel", Medium.WEBHOOK),
            Medium.CHAT: ("ChatChannel", Medium.CHAT),
            Medium.EMAIL: ("ConsoleChannel", Medium.EMAIL),
            Medium.SMS: ("ConsoleChannel", Medium.SMS),
            Medium.PHONE: ("ConsoleChannel", Medium.PHONE),
            Medium.PUSH: ("ConsoleChannel", Medium.PUSH),
        }
        assert isinstance(channels[Medium.EMAIL], ConsoleChannel)
    finally:
        close(channels)


def test_sms_needs_sid_token_and_sender() -> None:
    channels = build_channels(Settings(sms_url="http://127.0.0.1:9", sms_account_sid="AC1"))
    try:
        assert isinstance(channels[Medium.SMS], ConsoleChannel)
    finally:
        close(channels)


def test_configured_providers_receive_the_notifications() -> None:
    async def scenario() -> None:
        with http_server() as sink:
            async with smtp_server() as smtp:
                settings = Settings(
                    smtp_url=SecretStr(f"smtp://127.0.0.1:{smtp.port}"),
                    smtp_from="pager@openoncall.test",
                    sms_url=sink.url,
                    sms_account_sid="AC9",
                    sms_auth_token=SecretStr("tok"),
                    sms_from="+15550000000",
                    push_url=f"{sink.url}/ntfy",
                    webhook_allowlist="127.0.0.0/8",
                )
                channels = build_channels(settings)
                assert isinstance(channels[Medium.EMAIL], EmailChannel)
                assert isinstance(channels[Medium.SMS], TwilioChannel)
                assert isinstance(channels[Medium.PHONE], TwilioChannel)
                assert isinstance(channels[Medium.PUSH], PushChannel)
                assert isinstance(channels[Medium.WEBHOOK], WebhookChannel)
                assert isinstance(channels[Medium.CHAT], ChatChannel)
                targets = {
                    Medium.EMAIL: "jdoe@example.com",
                    Medium.SMS: "+15551234567",
                    Medium.PHONE: "+15551234567",
                    Medium.PUSH: "jdoe-pixel",
                    Medium.WEBHOOK: f"{sink.url}/hook",
                    Medium.CHAT: f"{sink.url}/chat",
                }
                try:
                    for medium, to in targets.items():
                        n = Notification(medium=medium, to=to, subject="s", body="b")
                        result = await channels[medium].send(n)
                        assert result.ok, (medium, result)
                finally:
                    for channel in channels.values():
                        await channel.aclose()
                assert [to for _, to, _ in smtp.mails()] == [["jdoe@example.com"]]
                assert smtp.mails()[0][0] == "pager@openoncall.test"
            assert [r.path for r in sink.requests] == [
                "/2010-04-01/Accounts/AC9/Messages.json",
                "/2010-04-01/Accounts/AC9/Calls.json",
                "/ntfy/jdoe-pixel",
                "/hook",
                "/chat",
            ]

    run_async(scenario)


def test_a_malformed_smtp_url_fails_at_build_time() -> None:
    with pytest.raises(ValueError, match="SMTP URL"):
        build_channels(Settings(smtp_url=SecretStr("mail.example.com:25")))
