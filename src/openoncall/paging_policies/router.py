"""Paging-policy endpoints: /api-public/v1/policies/types/…"""

from __future__ import annotations

from openoncall.auth.deps import public_router
from openoncall.paging_policies import types
from openoncall.paging_policies.schemas import (
    ContactTypes,
    NotificationTypes,
    TimeoutDescription,
    TimeoutTypes,
    TypeDescription,
)

router = public_router(tags=["Paging Policies"])

TYPES = "/api-public/v1/policies/types"


@router.get(f"{TYPES}/notifications", response_model=NotificationTypes)
def get_notification_types() -> NotificationTypes:
    """Get the available notification types."""
    return NotificationTypes(
        notification_types=[
            TypeDescription(type=t.value, description=d)
            for t, d in types.NOTIFICATION_DESCRIPTIONS.items()
        ],
        self_url=f"{TYPES}/notifications",
    )


@router.get(f"{TYPES}/contacts", response_model=ContactTypes)
def get_contact_types() -> ContactTypes:
    """Get the available contact types."""
    return ContactTypes(
        contact_types=[
            TypeDescription(type=t.value, description=d)
            for t, d in types.CONTACT_DESCRIPTIONS.items()
        ],
        self_url=f"{TYPES}/contacts",
    )


@router.get(f"{TYPES}/timeouts", response_model=TimeoutTypes)
def get_timeout_types() -> TimeoutTypes:
    """Get the available timeout values."""
    return TimeoutTypes(
        timeout_types=[
            TimeoutDescription(type=m, description=types.timeout_description(m))
            for m in types.TIMEOUT_MINUTES
        ],
        self_url=f"{TYPES}/timeouts",
    )
