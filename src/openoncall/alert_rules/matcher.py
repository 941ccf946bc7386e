"""PURE: the Rules Engine. Match an alert field by wildcard or regex, then transform, annotate
and reroute, rule by rule in rank order, stopping after a matching rule with the stop flag.

Rules see the alert as a flat dict of its fields (the JSON body). A later rule sees the
fields as earlier rules left them. Values written by a rule may quote other fields as
`${{field_name}}`. Annotations become the `vo_annotate.<type>.<name>` fields the REST
endpoint itself accepts (NOTES (c)), so both routes to an annotation read the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

WILDCARD = "WILDCARD"
REGEX = "REGEX"
MATCH_TYPES = (WILDCARD, REGEX)
ANNOTATION_TYPES = {"u": "URL", "s": "Note", "i": "Image"}
FLAG_ANNOTATION = 0
FLAG_TRANSFORMATION = 1
ROUTING_KEY_FIELD = "routing_key"

_REFERENCE = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@dataclass(frozen=True, slots=True)
class Annotation:
    annotation_type: str
    field_name: str
    field_value: str
    flags: int = FLAG_ANNOTATION


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    alert_field: str
    alert_value_match: str
    match_type: str = WILDCARD
    rank: int = 0
    stop_flag: bool = False
    route_key: str | None = None
    annotations: tuple[Annotation, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The alert after the rules: its fields, which rules matched, where it goes."""

    fields: dict[str, Any]
    matched: tuple[int, ...] = ()
    route_key: str | None = None
    annotations: tuple[dict[str, str], ...] = field(default=())


class InvalidPattern(ValueError):
    pass


@lru_cache(maxsize=4096)
def compile_pattern(match_type: str, pattern: str) -> re.Pattern[str]:
    """Wildcard `*` matches any run of characters (case-insensitively, as the vendor does);
    a regex must match the whole value. Raises InvalidPattern."""
    if match_type == WILDCARD:
        parts = (re.escape(p) for p in pattern.split("*"))
        return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)
    if match_type == REGEX:
        try:
            return re.compile(pattern, re.DOTALL)
        except re.error as exc:
            raise InvalidPattern(f"Invalid regular expression: {exc}") from exc
    raise InvalidPattern(f"Unknown matchType {match_type!r}")


def field_text(value: Any) -> str | None:
    """How a field's value reads to a matcher or a `${{…}}` reference."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def render(template: str, fields: dict[str, Any]) -> str:
    """Replace each `${{name}}` by that field's value (empty when absent)."""
    return _REFERENCE.sub(lambda m: field_text(fields.get(m.group(1))) or "", template)


def matches(rule: Rule, fields: dict[str, Any]) -> bool:
    value = field_text(fields.get(rule.alert_field))
    if value is None:
        return False
    try:
        pattern = compile_pattern(rule.match_type, rule.alert_value_match)
    except InvalidPattern:
        return False
    return pattern.fullmatch(value) is not None


def ordered(rules: Sequence[Rule]) -> list[Rule]:
    """Rank 0 first; equal ranks in creation order."""
    return sorted(rules, key=lambda r: (r.rank, r.id))


def apply_rules(rules: Sequence[Rule], fields: dict[str, Any]) -> Outcome:
    """Run every rule in order on a copy of `fields`."""
    current = dict(fields)
    matched: list[int] = []
    route_key: str | None = None
    annotations: list[dict[str, str]] = []
    for rule in ordered(rules):
        if not matches(rule, current):
            continue
        matched.append(rule.id)
        # Values are rendered against the fields as they were when the rule matched, so
        # the order of a rule's own transformations does not change its result.
        snapshot = dict(current)
        for item in rule.annotations:
            value = render(item.field_value, snapshot)
            if item.flags == FLAG_TRANSFORMATION:
                current[item.field_name] = value
                if item.field_name == ROUTING_KEY_FIELD and value:
                    # The vendor's documented way to reroute: "Set routing_key to devs".
                    route_key = value
            else:
                key = f"vo_annotate.{item.annotation_type}.{item.field_name}"
                current[key] = value
                annotations.append(
                    {"type": item.annotation_type, "name": item.field_name, "value": value}
                )
        if rule.route_key:
            route_key = rule.route_key
        if rule.stop_flag:
            break
    return Outcome(
        fields=current,
        matched=tuple(matched),
        route_key=route_key,
        annotations=tuple(annotations),
    )
