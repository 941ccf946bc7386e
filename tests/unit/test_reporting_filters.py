"""Parsing the query parameters of the v2 incident history (NOTES (b) "Reporting")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openoncall.errors import InvalidInput
from openoncall.reporting.incident_filters import (
    ACKED,
    RESOLVED,
    UNACKED,
    NumberRange,
    ReportingFilter,
    parse_incident_numbers,
    parse_instant,
    parse_list,
    parse_phases,
    parse_reporting_filter,
)


def test_defaults_are_resolved_only_first_twenty_when_nothing_is_given() -> None:
    assert parse_reporting_filter() == ReportingFilter(
        offset=0,
        limit=20,
        entity_id=None,
        numbers=(),
        started_after=None,
        started_before=None,
        hosts=(),
        services=(),
        phases=frozenset({RESOLVED}),
        routing_key=None,
    )


def test_every_parameter_is_parsed_when_all_are_given() -> None:
    parsed = parse_reporting_filter(
        offset="40",
        limit="100",
        entity_id="disk/web-1",
        incident_number="4,5,20:50",
        started_after="2026-01-05T12:00:00Z",
        started_before="2026-01-06T00:00:00+01:00",
        host="web-1, web-2,,",
        service="nginx",
        current_phase="triggered,ACKED",
        routing_key="database",
    )
    assert parsed == ReportingFilter(
        offset=40,
        limit=100,
        entity_id="disk/web-1",
        numbers=(NumberRange(4, 4), NumberRange(5, 5), NumberRange(20, 50)),
        started_after=datetime(2026, 1, 5, 12, tzinfo=UTC),
        started_before=datetime(2026, 1, 5, 23, tzinfo=UTC),
        hosts=("web-1", "web-2"),
        services=("nginx",),
        phases=frozenset({UNACKED, ACKED}),
        routing_key="database",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("resolved", {RESOLVED}),
        ("RESOLVED", {RESOLVED}),
        ("Triggered", {UNACKED}),
        ("unacked", {UNACKED}),
        ("UNACKED", {UNACKED}),
        ("acknowledged", {ACKED}),
        ("AcKeD", {ACKED}),
        ("triggered, acknowledged ,resolved", {UNACKED, ACKED, RESOLVED}),
        ("", {RESOLVED}),
        ("  ", {RESOLVED}),
    ],
    ids=[
        "lower",
        "upper",
        "mixed-case-word",
        "lower-enum",
        "enum",
        "acknowledged",
        "mixed-case-enum",
        "all-three-with-spaces",
        "empty-is-default",
        "blank-is-default",
    ],
)
def test_phase_words_are_accepted_in_any_case(text: str, expected: set[str]) -> None:
    assert parse_phases(text, default=frozenset({RESOLVED})) == frozenset(expected)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"offset": "-1"}, "offset", "offset must be between 0 and 2147483647, got -1"),
        ({"offset": "ten"}, "offset", "offset must be an integer, got 'ten'"),
        ({"limit": "101"}, "limit", "limit must be between 1 and 100, got 101"),
        ({"limit": "0"}, "limit", "limit must be between 1 and 100, got 0"),
        ({"limit": "1.5"}, "limit", "limit must be an integer, got '1.5'"),
        (
            {"incident_number": "4,x"},
            "incidentNumber",
            "incidentNumber must hold numbers or ranges like 20:50, got 'x'",
        ),
        (
            {"incident_number": "50:20"},
            "incidentNumber",
            "incidentNumber range 50:20 runs backwards",
        ),
        (
            {"incident_number": "20:"},
            "incidentNumber",
            "incidentNumber must hold numbers or ranges like 20:50, got ''",
        ),
        (
            {"incident_number": "-3"},
            "incidentNumber",
            "incidentNumber must hold numbers or ranges like 20:50, got '-3'",
        ),
        (
            {"current_phase": "open"},
            "currentPhase",
            "currentPhase must be triggered, acknowledged or resolved "
            "(or UNACKED, ACKED, RESOLVED), got 'open'",
        ),
        (
            {"started_after": "yesterday"},
            "startedAfter",
            "startedAfter must be an ISO-8601 date-time such as 2020-03-24T19:31:57Z, "
            "got 'yesterday'",
        ),
        (
            {"started_before": "2026-13-01"},
            "startedBefore",
            "startedBefore must be an ISO-8601 date-time such as 2020-03-24T19:31:57Z, "
            "got '2026-13-01'",
        ),
        (
            {"started_after": "2026-01-02T00:00:00Z", "started_before": "2026-01-01T00:00:00Z"},
            "startedAfter",
            "startedAfter must not be later than startedBefore",
        ),
    ],
    ids=[
        "negative-offset",
        "word-offset",
        "limit-over-100",
        "limit-zero",
        "fractional-limit",
        "number-not-digits",
        "backwards-range",
        "open-range",
        "negative-number",
        "unknown-phase",
        "bad-date",
        "bad-month",
        "after-later-than-before",
    ],
)
def test_bad_values_name_their_parameter(kwargs: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_reporting_filter(**kwargs)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_too_many_number_terms_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_incident_numbers(",".join(str(n) for n in range(201)))
    assert caught.value.field == "incidentNumber"


def test_instant_without_offset_is_utc_and_unencoded_plus_is_repaired() -> None:
    assert parse_instant("2026-01-05T12:00:00", "x") == datetime(2026, 1, 5, 12, tzinfo=UTC)
    # `?startedAfter=2026-01-05T12:00:00+02:00` sent unencoded arrives with a space.
    assert parse_instant("2026-01-05T12:00:00 02:00", "x") == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert parse_instant("2026-01-05", "x") == datetime(2026, 1, 5, tzinfo=UTC)


def test_list_keeps_order_and_drops_blanks_and_duplicates() -> None:
    assert parse_list(" a ,b,,a, c ") == ("a", "b", "c")
    assert parse_list(None) == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 1000)), min_size=1, max_size=30))
def test_written_numbers_and_ranges_parse_back_to_themselves(
    terms: list[tuple[int, int]],
) -> None:
    text = ",".join(str(low) if width == 0 else f"{low}:{low + width}" for low, width in terms)
    assert parse_incident_numbers(text) == tuple(
        NumberRange(low, low + width) for low, width in terms
    )


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),  # noqa: DTZ001  (hypothesis wants naive bounds)
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-6)), timezone(timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_any_iso_instant_parses_to_the_same_utc_instant(at: datetime) -> None:
    parsed = parse_instant(at.isoformat(), "startedAfter")
    assert parsed == at
    assert parsed is not None
    assert parsed.tzinfo is UTC
