"""Driver-level statements, for the hot paths where building SQLAlchemy statements and
processing parameters per row cost more than running them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection


class DriverStatements:
    """Driver-level statements for one dialect: placeholders, instants and JSON as the
    SQLAlchemy column types would write them (UtcDateTime stores naive UTC text on SQLite,
    aware timestamps on PostgreSQL; JSON is `json.dumps` text)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.mark = "%s" if self.pg else "?"
        self.json_mark = "%s::json" if self.pg else "?"
        self._instants: dict[datetime, str] = {}

    def instant(self, value: datetime | None) -> Any:
        if value is None or self.pg:
            return value
        # Most instants of a batch are the same few objects (receipt times, `now`).
        text = self._instants.get(value)
        if text is None:
            utc = value if value.tzinfo is UTC else value.astimezone(UTC)
            # SQLAlchemy's SQLite DATETIME text, "2026-01-05 12:00:00.000000".
            text = utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
            self._instants[value] = text
        return text

    def insert_sql(
        self, table: str, columns: Sequence[str], json_columns: Sequence[str] = ()
    ) -> str:
        marks = ", ".join(self.json_mark if c in json_columns else self.mark for c in columns)
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.exec_driver_sql(sql, rows)
