"""The pure alert-payload parser and the email grammar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openoncall.alerts.mail import MailAlert, Recipient, classify_subject, parse_recipient
from openoncall.alerts.payload import (
    AlertData,
    PayloadError,
    normalize,
    parse_body,
    with_entity_id,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Missing fields: message_type"),
        (b"{}", "Missing fields: message_type"),
        (b'{"message_type": "  "}', "Missing fields: message_type"),
        (b'{"message_type": 3}', "Invalid message_type: 3"),
        (b"\xff", "Request body is not valid JSON"),
        (b'"CRITICAL"', "Request body must be a JSON object"),
    ],
)
def test_refused_bodies(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError) as info:
        parse_body(body)
    assert info.value.message == message


def test_normalize_reads_every_known_field_leniently() -> None:
    fields = with_entity_id(
        {
            "message_type": "ok",
            "message": "fine now",
            "timestamp": "1767600000",
            "state_start_time": 1767600000000,  # milliseconds, recognised
            "entity_is_host": "true",
            "host": "h1",
            "service": "svc",
            "monitoring_tool": "zabbix",
            "ack_author": "jdoe",
            "ack_msg": "seen",
        },
        lambda: "generated",
    )
    assert normalize(fields, original_type="INFO", received_at=NOW) == AlertData(
        message_type="RECOVERY",
        entity_id="generated",
        entity_display_name="",
        state_message="fine now",
        monitoring_tool="zabbix",
        timestamp=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        state_start_time=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        entity_is_host=True,
        host="h1",
        service="svc",
        ack_author="jdoe",
        ack_msg="seen",
    )


def test_normalize_defaults_and_odd_values() -> None:
    data = normalize(
        {"message_type": "bogus", "entity_id": "e", "timestamp": "soon", "state_message": 42},
        original_type="WARNING",
        received_at=NOW,
    )
    assert (data.message_type, data.timestamp, data.state_message) == ("WARNING", NOW, "42")
    assert with_entity_id({"entity_id": 7}, lambda: "g") == {"entity_id": "7"}
    assert with_entity_id({"entity_id": " "}, lambda: "g") == {"entity_id": "g"}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("abc123+db@alert.example", Recipient("abc123", "db")),
        ("abc123.Db-Key@alert.example", Recipient("abc123", "Db-Key")),
        ("<abc123@alert.example>", Recipient("abc123", None)),
        ("abc123+@x", Recipient("abc123", None)),
        ("+db@x", None),
        ("@x", None),
    ],
)
def test_parse_recipient(address: str, expected: Recipient | None) -> None:
    assert parse_recipient(address) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (
            "CRITICAL: disk full on db01",
            MailAlert("CRITICAL", "disk full on db01", "CRITICAL: disk full on db01"),
        ),
        (
            "disk full on db01 - Warning",
            MailAlert("WARNING", "disk full on db01", "disk full on db01 - Warning"),
        ),
        ("[info] deploy done", MailAlert("INFO", "deploy done", "[info] deploy done")),
        (
            "Acknowledged: disk full on db01",
            MailAlert("ACKNOWLEDGEMENT", "disk full on db01", "Acknowledged: disk full on db01"),
        ),
        (
            "RESOLVED: disk full on db01",
            MailAlert("RECOVERY", "disk full on db01", "RESOLVED: disk full on db01"),
        ),
        ("Recovery   disk full", MailAlert("RECOVERY", "disk full", "Recovery disk full")),
        ("disk full on db01", MailAlert(None, "disk full on db01", "disk full on db01")),
        ("criticality report", MailAlert(None, "criticality report", "criticality report")),
        ("", MailAlert(None, "email", "")),
    ],
)
def test_classify_subject(subject: str, expected: MailAlert) -> None:
    assert classify_subject(subject) == expected
