"""PURE: Twilio's request signature (`X-Twilio-Signature`) and whether a request carries it.

Twilio signs every webhook with HMAC-SHA1, keyed by the account's auth token, over the full
URL it called followed by each POST parameter's name and value in name order, base64-encoded
(https://www.twilio.com/docs/usage/webhooks/webhooks-security). The scheme has no timestamp,
so replays are refused separately, by the request's id (see `links/replays.py`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    payload = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_refusal(
    auth_token: str | None, url: str, params: dict[str, str], signature: str | None
) -> str | None:
    """Why the request must be refused, or None when its signature is the expected one.

    The reasons are for the log: they name no token, signature or parameter value."""
    if not auth_token:
        return "OPENONCALL_SMS_AUTH_TOKEN is not set, so provider signatures cannot be checked"
    if not signature:
        return "no X-Twilio-Signature header"
    expected = twilio_signature(auth_token, url, params)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return "X-Twilio-Signature does not match (wrong auth token or URL, or a forgery)"
    return None
