"""The pure Rules Engine: matching, order, stop flag, transformations, annotations, reroute."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openoncall.alert_rules.matcher import (
    REGEX,
    WILDCARD,
    Annotation,
    InvalidPattern,
    Outcome,
    Rule,
    apply_rules,
    compile_pattern,
    matches,
    render,
)

ALERT: dict[str, Any] = {
    "message_type": "CRITICAL",
    "entity_id": "disk/db01.example.com",
    "host_name": "db01",
    "state_message": "95% full",
    "count": 3,
}


@pytest.mark.parametrize(
    ("match_type", "pattern", "value", "expected"),
    [
        (WILDCARD, "disk/*", "disk/db01", True),
        (WILDCARD, "DISK/*", "disk/db01", True),
        (WILDCARD, "*db01*", "disk/db01.example.com", True),
        (WILDCARD, "disk", "disk/db01", False),
        (WILDCARD, "*", "", True),
        (WILDCARD, "a.b", "axb", False),
        (WILDCARD, "a?b", "a?b", True),
        (REGEX, r"db\d+", "db01", True),
        (REGEX, r"db\d+", "xdb01", False),
        (REGEX, "DB01", "db01", False),
        (REGEX, "(?i)DB01", "db01", True),
    ],
    ids=str,
)
def test_match_whole_value(match_type: str, pattern: str, value: str, expected: bool) -> None:
    rule = Rule(id=1, alert_field="f", alert_value_match=pattern, match_type=match_type)
    assert matches(rule, {"f": value}) is expected


def test_missing_field_never_matches_and_numbers_match_as_text() -> None:
    assert not matches(Rule(1, "absent", "*"), ALERT)
    assert matches(Rule(1, "count", "3"), ALERT)


def test_bad_patterns_are_reported() -> None:
    with pytest.raises(InvalidPattern):
        compile_pattern(REGEX, "(")
    with pytest.raises(InvalidPattern):
        compile_pattern("FUZZY", "x")
    # A stored bad rule (should never happen) simply does not match.
    assert not matches(Rule(1, "host_name", "(", match_type=REGEX), ALERT)


def test_render_quotes_fields_and_blanks_missing_ones() -> None:
    assert render("${{host_name}}: ${{ state_message }} ${{nope}}!", ALERT) == "db01: 95% full !"


def test_rules_run_in_rank_order_and_see_earlier_changes() -> None:
    rules = [
        Rule(2, "team", "dba", rank=1, annotations=(Annotation("s", "routed", "yes", 1),)),
        Rule(1, "host_name", "db*", rank=0, annotations=(Annotation("s", "team", "dba", 1),)),
    ]
    outcome = apply_rules(rules, ALERT)
    assert outcome == Outcome(
        fields={**ALERT, "team": "dba", "routed": "yes"}, matched=(1, 2), route_key=None
    )


def test_stop_flag_ends_the_chain_and_ties_run_in_creation_order() -> None:
    rules = [
        Rule(3, "entity_id", "*", rank=0, route_key="later"),
        Rule(1, "entity_id", "*", rank=0, stop_flag=True, route_key="first"),
        Rule(2, "entity_id", "*", rank=0, route_key="never"),
    ]
    outcome = apply_rules(rules, ALERT)
    assert (outcome.matched, outcome.route_key) == ((1,), "first")


def test_transformations_and_annotations() -> None:
    rule = Rule(
        7,
        "entity_id",
        "disk/*",
        route_key="db",
        annotations=(
            Annotation("s", "entity_display_name", "Disk ${{host_name}}: ${{state_message}}", 1),
            Annotation("s", "state_message", "[${{host_name}}] ${{state_message}}", 1),
            Annotation("u", "Runbook", "https://rb.example/${{host_name}}", 0),
            Annotation("i", "Graph", "https://img.example/${{entity_id}}.png", 0),
            Annotation("s", "Note", "Call the DBA", 0),
        ),
    )
    outcome = apply_rules([rule], ALERT)
    assert outcome == Outcome(
        fields={
            **ALERT,
            # Values are rendered from the fields as they were when the rule matched.
            "entity_display_name": "Disk db01: 95% full",
            "state_message": "[db01] 95% full",
            "vo_annotate.u.Runbook": "https://rb.example/db01",
            "vo_annotate.i.Graph": "https://img.example/disk/db01.example.com.png",
            "vo_annotate.s.Note": "Call the DBA",
        },
        matched=(7,),
        route_key="db",
        annotations=(
            {"type": "u", "name": "Runbook", "value": "https://rb.example/db01"},
            {
                "type": "i",
                "name": "Graph",
                "value": "https://img.example/disk/db01.example.com.png",
            },
            {"type": "s", "name": "Note", "value": "Call the DBA"},
        ),
    )
    assert ALERT["state_message"] == "95% full"  # the input is never changed


def test_no_rules_leave_the_alert_alone() -> None:
    assert apply_rules([], ALERT) == Outcome(fields=ALERT)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=20), st.text(max_size=20))
def test_wildcard_star_matches_anything_with_that_prefix(prefix: str, rest: str) -> None:
    rule = Rule(1, "f", prefix.replace("*", "") + "*")
    assert matches(rule, {"f": prefix.replace("*", "") + rest})


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=30))
def test_a_wildcard_without_star_matches_only_the_same_text(text: str) -> None:
    literal = text.replace("*", "")
    assert matches(Rule(1, "f", literal), {"f": literal})
    assert not matches(Rule(1, "f", literal), {"f": literal + "x"})
