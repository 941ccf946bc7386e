"""Per-organization version counters: one row per organization, +1 in the writer's transaction.

Caches of data that changes rarely tag what they keep with the counter they read first; a
request that reads a different number recomputes. The database is all that processes share,
so this stays correct with any number of server processes (ARCHITECTURE "Reads that change
rarely").
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, update
from sqlalchemy.dialects import postgresql, sqlite


def bump_counter(connection: Connection, table: Table, org_id: int | None) -> None:
    """+1 on the organization's row of `table` (on every row when `org_id` is None)."""
    if org_id is None:
        connection.execute(update(table).values(version=table.c.version + 1))
        return
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(org_id=org_id, version=1)
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.org_id], set_={"version": table.c.version + 1}
        )
    )
