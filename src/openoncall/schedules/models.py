"""Table: oncall_version, one counter per organization bumped by every on-call-changing write."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base


class OnCallVersion(Base):
    """Lets every process know, with one primary-key read, whether its cached on-call answers
    for an organization are still current (see `openoncall.schedules.cache`)."""

    __tablename__ = "oncall_version"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(BigInteger, default=0)
