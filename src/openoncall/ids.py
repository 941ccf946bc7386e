"""Public identifiers: slugs like team-…, pol-…, rtg-…, and random secrets."""

from __future__ import annotations

import hashlib
import re
import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_slug(prefix: str, length: int = 12) -> str:
    """An opaque public id such as `team-Ab12Cd34Ef56` (NOTES (e) 6)."""
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_secret(nbytes: int = 32) -> str:
    """A random URL-safe secret (API keys, endpoint keys, feed tokens)."""
    return secrets.token_urlsafe(nbytes)


def hash_secret(secret: str) -> str:
    """Secrets are high-entropy random strings, so a plain SHA-256 is a sound stored hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "org"
