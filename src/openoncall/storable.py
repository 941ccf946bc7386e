"""PURE: whether a decoded JSON value can be stored the same on SQLite and PostgreSQL.

One rule for alerts and every API body (docs/hostile-input.md): a value is refused with a
400 naming its field when it holds a NUL character (PostgreSQL text refuses it, SQLite keeps
it), a lone UTF-16 surrogate such as JSON "\\ud800" (no database can encode it), NaN or
Infinity (not JSON; PostgreSQL refuses them, SQLite keeps them), or nesting deeper than
MAX_JSON_DEPTH (deep values cannot even be serialized back out). Refusing rather than
quietly rewriting keeps what is stored equal to what was sent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

MAX_JSON_DEPTH = 64
# The integers every integer column holds on both databases (PostgreSQL `integer`; SQLite's
# are 64-bit): ids, offsets and numbers outside them are refused up front with a 400 naming
# the field, instead of a 500 on SQLite (its driver overflows past 64 bits) and a nameless 400
# on PostgreSQL.
MIN_DB_INT = -(2**31)
MAX_DB_INT = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Unstorable:
    """Where (a dotted path from the top field) and why."""

    field: str
    reason: str


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain NUL characters"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must be valid Unicode text (it holds a lone surrogate such as \\ud800)"
    return None


def find_unstorable(value: object, field: str) -> Unstorable | None:
    """The first part of `value` (itself at depth 1, named `field`) that cannot be stored."""
    stack: list[tuple[object, str, int]] = [(value, field, 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem is not None:
                return Unstorable(path, problem)
        elif isinstance(item, float):
            if not math.isfinite(item):
                return Unstorable(path, "must be a finite number (NaN and Infinity are not JSON)")
        elif isinstance(item, dict | list | tuple):
            if depth > MAX_JSON_DEPTH:
                return Unstorable(path, f"is nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key, inner in item.items():
                    if isinstance(key, str) and (problem := _text_problem(key)) is not None:
                        # Named by its parent: the key itself cannot be shown.
                        return Unstorable(path, f"has a key that {problem}")
                    stack.append((inner, f"{path}.{key}" if path else str(key), depth + 1))
            else:
                stack.extend((inner, f"{path}[{i}]", depth + 1) for i, inner in enumerate(item))
    return None


def json_size(value: object) -> int:
    """Bytes of a storable value as compact UTF-8 JSON."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
