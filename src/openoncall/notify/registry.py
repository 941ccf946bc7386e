"""build_channels(settings): one channel per medium, the console where nothing is configured.

Webhook and chat channels carry their destination URL in each notification, so they are
always real; email, SMS/voice and push need a provider in the settings.
"""

from __future__ import annotations

from openoncall.notify.channel import Channel, Medium
from openoncall.notify.chat import ChatChannel
from openoncall.notify.console import ConsoleChannel
from openoncall.notify.egress import EgressPolicy, GuardedBackend
from openoncall.notify.email import EmailChannel, SmtpConfig
from openoncall.notify.push import PushChannel
from openoncall.notify.sms import TwilioChannel
from openoncall.notify.webhook import WebhookChannel
from openoncall.settings import Settings

TWILIO_URL = "https://api.twilio.com"


def build_channels(settings: Settings, *, timeout_seconds: float = 10.0) -> dict[Medium, Channel]:
    """Raises ValueError on a malformed provider setting (at start-up, not at the first page)."""
    egress = GuardedBackend(EgressPolicy.parse(settings.webhook_allowlist))
    channels: dict[Medium, Channel] = {
        Medium.WEBHOOK: WebhookChannel(timeout_seconds=timeout_seconds, egress=egress),
        Medium.CHAT: ChatChannel(timeout_seconds=timeout_seconds, egress=egress),
    }
    if settings.smtp_url is not None:
        config = SmtpConfig.from_url(settings.smtp_url.get_secret_value())
        channels[Medium.EMAIL] = EmailChannel(config, settings.smtp_from)
    else:
        channels[Medium.EMAIL] = ConsoleChannel(Medium.EMAIL)

    sid, token, sender = settings.sms_account_sid, settings.sms_auth_token, settings.sms_from
    for medium in (Medium.SMS, Medium.PHONE):
        if sid and token is not None and sender:
            channels[medium] = TwilioChannel(
                medium,
                base_url=settings.sms_url or TWILIO_URL,
                account_sid=sid,
                auth_token=token.get_secret_value(),
                from_number=sender,
                timeout_seconds=timeout_seconds,
            )
        else:
            channels[medium] = ConsoleChannel(medium)

    if settings.push_url:
        channels[Medium.PUSH] = PushChannel(settings.push_url, timeout_seconds=timeout_seconds)
    else:
        channels[Medium.PUSH] = ConsoleChannel(Medium.PUSH)
    return channels
