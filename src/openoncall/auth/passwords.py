"""Password hashing with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
