"""The organization-wide roles a user holds (stored in `user.role`).

Team admin is not one of them: it is held per team (`team_member.is_admin`), next to any of
these, as on the vendor's platform.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # Before roles were modelled this was ADMIN = "admin"; migration 0009_roles renamed it.
    GLOBAL_ADMIN = "global_admin"
    ALERT_ADMIN = "alert_admin"
    USER = "user"
    STAKEHOLDER = "stakeholder"
