"""PURE: the email endpoint's grammar (NOTES (c) "Email endpoint").

Mail goes to `{emailKey}+{routingKey}@…` (or `.` instead of `+`, or no routing key). A
keyword in the subject picks the message type: critical, warning, info, ack…, recover… or
resolve…, whichever comes first; without one the organization's default applies. The
subject without its keyword names the entity, the whole subject is the display name and the
body is the state message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEYWORD = re.compile(r"\b(critical|warning|info|ack\w*|recover\w*|resolve\w*)\b", re.IGNORECASE)
_MESSAGE_TYPES = {
    "critical": "CRITICAL",
    "warning": "WARNING",
    "info": "INFO",
}
_EDGE = re.compile(r"^[\s:;,\-\[\]()|]+|[\s:;,\-\[\]()|]+$")


@dataclass(frozen=True, slots=True)
class Recipient:
    email_key: str
    routing_key: str | None


@dataclass(frozen=True, slots=True)
class MailAlert:
    message_type: str | None  # None: the organization's default
    entity_id: str
    entity_display_name: str


def parse_recipient(address: str) -> Recipient | None:
    """`key+route@host`, `key.route@host` or `key@host`; None when there is no local part."""
    local = address.strip().strip("<>").rsplit("@", 1)[0].strip()
    if not local:
        return None
    for separator in ("+", "."):
        if separator in local:
            key, route = local.split(separator, 1)
            if not key:
                return None
            return Recipient(key, route or None)
    return Recipient(local, None)


def _keyword_type(word: str) -> str:
    lower = word.lower()
    if lower in _MESSAGE_TYPES:
        return _MESSAGE_TYPES[lower]
    if lower.startswith("ack"):
        return "ACKNOWLEDGEMENT"
    return "RECOVERY"  # recover…, resolve…


def classify_subject(subject: str) -> MailAlert:
    """Message type from the first keyword; the rest of the subject is the entity."""
    subject = " ".join(subject.split())
    found = _KEYWORD.search(subject)
    if found is None:
        return MailAlert(None, subject or "email", subject)
    rest = subject[: found.start()] + " " + subject[found.end() :]
    entity = _EDGE.sub("", " ".join(rest.split()))
    return MailAlert(_keyword_type(found.group(1)), entity or subject, subject)
