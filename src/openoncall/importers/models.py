"""What an import made: one row per source object, so that a second run finds it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime


class ImportedObject(OrgScoped, Base):
    """`source` names the tool and account (e.g. `splunk-oncall:https://api.victorops.com`),
    `kind` the object type, `source_id` its id there; `local_id` is its slug, username or id
    here, and `fingerprint` a hash of the source's content when it was last applied."""

    __tablename__ = "imported_object"
    __table_args__ = (UniqueConstraint("org_id", "source", "kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(300))
    local_id: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
