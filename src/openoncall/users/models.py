"""Tables: user, user_list_version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openoncall.db.base import Base, OrgScoped, UtcDateTime
from openoncall.users.roles import Role

__all__ = ["Role", "User", "UserColumns", "UserListVersion", "display_name_of"]

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class User(OrgScoped, Base):
    __tablename__ = "user"
    __table_args__ = (
        UniqueConstraint("org_id", "username"),
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.USER)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    password_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def is_admin(self) -> bool:
        """A global admin: every permission in the organization."""
        return self.role == Role.GLOBAL_ADMIN

    @property
    def display_name(self) -> str:
        return display_name_of(self.first_name, self.last_name, self.username)


def display_name_of(first_name: str, last_name: str, username: str) -> str:
    return f"{first_name} {last_name}".strip() or username


# username, first_name, last_name, email, created_at, password_updated_at, is_verified:
# what list endpoints read per user, without loading ORM objects.
UserColumns = tuple[str, str, str, str, datetime, datetime | None, bool]


class UserListVersion(Base):
    """+1 whenever an organization's users change, so every process can tell with one
    primary-key read whether its encoded user list is current (`users.list_cache`)."""

    __tablename__ = "user_list_version"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(BigInteger, default=0)
