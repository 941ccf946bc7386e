"""Wire models of the REST alert endpoint's answers (snake_case, as the vendor sends them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class AlertSuccess(BaseModel):
    result: Literal["success"]
    entity_id: str


class AlertFailure(BaseModel):
    result: Literal["failure"]
    message: str
