"""Signed, expiring links to acknowledge or resolve an incident from a notification.

A token names the organization, the incident, the action and the paged user, signed with
itsdangerous (HMAC-SHA1 over a timestamped payload) under the instance's link secret:
`settings.secret_key`, else a secret generated once and kept in the database. Anyone holding
the link may act, as with every vendor's ack links: that is why it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from openoncall.clock import Clock
from openoncall.errors import InvalidInput, NotFound

SALT = "openoncall.incident-link"
# How long a link in a page stays valid; an on-call shift rarely outlasts it.
LINK_MAX_AGE_SECONDS = 24 * 3600


class LinkAction(StrEnum):
    ACK = "ack"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class LinkClaim:
    org_id: int
    incident_id: int
    action: LinkAction
    user_id: int | None


class LinkExpired(InvalidInput):
    """A genuine link that is too old (answered 410)."""


def _signer_on(clock: Clock) -> type[TimestampSigner]:
    """A TimestampSigner that reads our clock, so expiry follows the injected clock."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return ClockSigner


class LinkSigner:
    def __init__(
        self,
        secret: str,
        base_url: str,
        clock: Clock,
        max_age_seconds: int = LINK_MAX_AGE_SECONDS,
    ) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT, signer=_signer_on(clock))
        self._base_url = base_url.rstrip("/")
        self.max_age_seconds = max_age_seconds

    def token(
        self, *, org_id: int, incident_id: int, action: LinkAction, user_id: int | None
    ) -> str:
        return str(self._serializer.dumps([org_id, incident_id, str(action), user_id]))

    def url(self, *, org_id: int, incident_id: int, action: LinkAction, user_id: int | None) -> str:
        token = self.token(org_id=org_id, incident_id=incident_id, action=action, user_id=user_id)
        return f"{self._base_url}/links/{token}"

    def load(self, token: str) -> LinkClaim:
        """The claim in a token; NotFound if tampered, LinkExpired if too old."""
        try:
            raw = self._serializer.loads(token, max_age=self.max_age_seconds)
        except SignatureExpired as exc:
            raise LinkExpired("This link has expired", field="token") from exc
        except BadSignature as exc:
            raise NotFound("No such link", field="token") from exc
        try:
            org_id, incident_id, action, user_id = raw
            return LinkClaim(
                org_id=int(org_id),
                incident_id=int(incident_id),
                action=LinkAction(action),
                user_id=None if user_id is None else int(user_id),
            )
        except (TypeError, ValueError) as exc:
            raise NotFound("No such link", field="token") from exc
