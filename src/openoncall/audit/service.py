"""record_audit(): one row per change, written in the changing transaction."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from openoncall.audit.models import AuditEvent
from openoncall.observe import events


def record_audit(
    session: Session,
    org_id: int,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    events.after_commit(
        session,
        partial(
            events.audited,
            org_id=org_id,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
        ),
    )
    session.add(
        AuditEvent(
            org_id=org_id,
            at=now,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail or {},
        )
    )
