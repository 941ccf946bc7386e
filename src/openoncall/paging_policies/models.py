"""Tables: paging_step, paging_rule (a user's personal paging policy, stored once customized).

A user with no stored steps follows the default policy computed in `service.default_steps`;
the first change through the API stores that default, then applies the change.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped


class PagingStep(OrgScoped, Base):
    __tablename__ = "paging_step"
    __table_args__ = (UniqueConstraint("user_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Minutes to wait, still unacknowledged, before the next step (the last step repeats).
    timeout_minutes: Mapped[int] = mapped_column(Integer)


class PagingRule(OrgScoped, Base):
    __tablename__ = "paging_rule"
    __table_args__ = (UniqueConstraint("step_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        ForeignKey("paging_step.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    notification_type: Mapped[str] = mapped_column(String(16))
    # The email or phone contact; NULL for push, which goes to all of the user's devices.
    # Deleting the contact deletes the rule.
    contact_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_method.id", ondelete="CASCADE"), nullable=True, index=True
    )
