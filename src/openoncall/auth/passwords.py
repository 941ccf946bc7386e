"""Password hashing with argon2, and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openoncall.auth.common_passwords import COMMON_PASSWORDS
from openoncall.errors import InvalidInput

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def use_fast_hashing() -> None:
    """Cheap argon2 parameters, for test suites only (hashing dominates fixture set-up)."""
    global _hasher  # noqa: PLW0603  (process-wide hasher; a test seam, never used in serving)
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


MIN_PASSWORD_LENGTH = 12
_MAX_CHECKED_LENGTH = 128  # the common-password checks look at this much; hashing takes all


def _is_common(candidate: str) -> bool:
    return candidate in COMMON_PASSWORDS


def _common_core(password: str) -> bool:
    """A common password with digits or symbols around it: `password2024!`, `!!dragon99`."""
    letters = [i for i, c in enumerate(password) if c.isalpha()]
    if not letters:
        return True  # digits and symbols only: a date, a phone number, a keyboard row
    first, last = letters[0], letters[-1]
    return any(
        _is_common(password[start:end])
        for start in range(first + 1)
        for end in range(last + 1, len(password) + 1)
    )


def _repeated(password: str) -> bool:
    """One short or common unit over and over: `abcabcabcabc`, `dragondragon`."""
    size = len(password)
    for unit in range(1, size // 2 + 1):
        if size % unit == 0 and password[:unit] * (size // unit) == password:
            return unit <= 4 or _is_common(password[:unit])
    return False


def check_password_strength(password: str, *, field: str = "password") -> None:
    """Refuse a password that is short or common (NIST SP 800-63B's two rules), naming the
    form field or option that carried it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters", field=field
        )
    folded = password[:_MAX_CHECKED_LENGTH].lower()
    if _is_common(folded) or _common_core(folded) or _repeated(folded):
        raise InvalidInput(
            "This password is one of the most common ones: choose another", field=field
        )
