"""The exception tree every service and pure module raises.

    OnCallError
    ├── NotFound             unknown user, team, policy, incident … (404)
    ├── AlreadyExists        a name or username that is taken (422)
    ├── InvalidInput         a bad field value; names the field (400)
    ├── InvalidTransition    e.g. acknowledging a resolved incident (400)
    ├── Conflict             a state that allows only one, e.g. global maintenance (409)
    ├── Unprocessable        a request the data cannot satisfy, e.g. a missing replacement (422)
    ├── Unauthorized         authentication missing (401)
    ├── Forbidden            authentication wrong, or not allowed (403)
    └── RateLimited          too many calls in the window (429)

`openoncall.api.errors` is the only map from these to HTTP status and body.
"""

from __future__ import annotations


class OnCallError(Exception):
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(OnCallError):
    code = "not-found"


class AlreadyExists(OnCallError):
    code = "already-exists"


class InvalidInput(OnCallError):
    code = "invalid-input"


class InvalidTransition(OnCallError):
    code = "invalid-transition"


class Conflict(OnCallError):
    code = "conflict"


class Unprocessable(OnCallError):
    code = "unprocessable"


class Unauthorized(OnCallError):
    code = "unauthorized"


class Forbidden(OnCallError):
    code = "forbidden"


class RateLimited(OnCallError):
    code = "rate-limited"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too Many Requests")
        self.retry_after_seconds = retry_after_seconds
