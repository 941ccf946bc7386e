"""SMS and voice calls through a Twilio-compatible HTTP API.

SMS: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` with form fields To, From, Body;
voice: `POST …/Calls.json` with To, From and Twiml that reads the message aloud. Both use
HTTP basic auth `sid:token`.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import httpx

from openoncall.notify.channel import DeliveryResult, Medium, Notification
from openoncall.notify.http import new_client, result_of, transport_failure

# Twilio's limit for one message body (it splits longer ones into segments itself).
MAX_SMS_CHARS = 1600


def twiml_say(text: str) -> str:
    """TwiML that reads `text` twice, so a sleepy listener catches it."""
    return f'<Response><Say loop="2">{escape(text)}</Say></Response>'


class TwilioChannel:
    """One medium (SMS or PHONE) of a Twilio-compatible provider."""

    def __init__(
        self,
        medium: Medium,
        *,
        base_url: str,
        account_sid: str,
        auth_token: str,
        from_number: str,
        timeout_seconds: float = 10.0,
    ) -> None:
        if medium not in {Medium.SMS, Medium.PHONE}:
            raise ValueError(f"TwilioChannel serves sms or phone, not {medium}")
        self.medium: Medium = medium
        resource = "Messages.json" if medium == Medium.SMS else "Calls.json"
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/{resource}"
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self._from = from_number
        self._client = new_client(timeout_seconds)

    def _form(self, notification: Notification) -> dict[str, str]:
        form = {"To": notification.to, "From": self._from}
        if self.medium == Medium.SMS:
            form["Body"] = notification.body[:MAX_SMS_CHARS]
        else:
            spoken = f"{notification.subject}. {notification.body}".strip(". ")
            form["Twiml"] = twiml_say(spoken)
        return form

    async def send(self, notification: Notification) -> DeliveryResult:
        if not notification.to:
            return DeliveryResult(False, "no phone number", retryable=False)
        try:
            response = await self._client.post(
                self._url, data=self._form(notification), auth=self._auth
            )
        except httpx.HTTPError as exc:
            return transport_failure(exc)
        sid = ""
        if response.is_success:
            try:
                sid = str(response.json().get("sid", ""))
            except ValueError:
                sid = ""
        return result_of(response, ok_detail=f"sid {sid}" if sid else "")

    async def aclose(self) -> None:
        await self._client.aclose()
