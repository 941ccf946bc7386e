"""PURE: a frozen copy of an escalation policy, taken when paging starts, stored as JSON.

An incident escalates by the policy as it was when the incident opened: editing or deleting
the policy mid-incident never changes which step runs next (OnCall's snapshot idea).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict


class EntryJson(TypedDict):
    execution_type: str
    position: int
    rotation_group_id: int | None
    rotation_group_label: str | None
    user_id: int | None
    username: str | None
    email: str | None
    webhook_slug: str | None
    target_policy_id: int | None
    target_policy_slug: str | None
    # team_page entries: the policy's team. Absent from snapshots taken before team_page.
    team_id: NotRequired[int | None]
    team_name: NotRequired[str | None]


class StepJson(TypedDict):
    timeout_minutes: int
    entries: list[EntryJson]


class PolicyJson(TypedDict):
    policy_id: int
    slug: str
    name: str
    ignore_custom_paging_policies: bool
    steps: list[StepJson]


@dataclass(frozen=True, slots=True)
class EntrySnapshot:
    """One target of a step; the field matching `execution_type` is the one set."""

    execution_type: str
    position: int
    rotation_group_id: int | None = None
    rotation_group_label: str | None = None
    user_id: int | None = None
    username: str | None = None
    email: str | None = None
    webhook_slug: str | None = None
    target_policy_id: int | None = None
    target_policy_slug: str | None = None
    team_id: int | None = None
    team_name: str | None = None

    def to_json(self) -> EntryJson:
        return {
            "execution_type": self.execution_type,
            "position": self.position,
            "rotation_group_id": self.rotation_group_id,
            "rotation_group_label": self.rotation_group_label,
            "user_id": self.user_id,
            "username": self.username,
            "email": self.email,
            "webhook_slug": self.webhook_slug,
            "target_policy_id": self.target_policy_id,
            "target_policy_slug": self.target_policy_slug,
            "team_id": self.team_id,
            "team_name": self.team_name,
        }

    @classmethod
    def from_json(cls, data: EntryJson) -> EntrySnapshot:
        return cls(
            execution_type=data["execution_type"],
            position=data["position"],
            rotation_group_id=data.get("rotation_group_id"),
            rotation_group_label=data.get("rotation_group_label"),
            user_id=data.get("user_id"),
            username=data.get("username"),
            email=data.get("email"),
            webhook_slug=data.get("webhook_slug"),
            target_policy_id=data.get("target_policy_id"),
            target_policy_slug=data.get("target_policy_slug"),
            team_id=data.get("team_id"),
            team_name=data.get("team_name"),
        )


@dataclass(frozen=True, slots=True)
class StepSnapshot:
    # Minutes to wait before this step runs, since the previous one ran (VictorOps `timeout`).
    timeout_minutes: int
    entries: tuple[EntrySnapshot, ...]

    def to_json(self) -> StepJson:
        return {
            "timeout_minutes": self.timeout_minutes,
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: StepJson) -> StepSnapshot:
        return cls(
            timeout_minutes=int(data["timeout_minutes"]),
            entries=tuple(EntrySnapshot.from_json(e) for e in data["entries"]),
        )


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    policy_id: int
    slug: str
    name: str
    ignore_custom_paging_policies: bool
    steps: tuple[StepSnapshot, ...]

    def to_json(self) -> PolicyJson:
        return {
            "policy_id": self.policy_id,
            "slug": self.slug,
            "name": self.name,
            "ignore_custom_paging_policies": self.ignore_custom_paging_policies,
            "steps": [s.to_json() for s in self.steps],
        }

    @classmethod
    def from_json(cls, data: PolicyJson) -> PolicySnapshot:
        return cls(
            policy_id=data["policy_id"],
            slug=data["slug"],
            name=data["name"],
            ignore_custom_paging_policies=bool(data["ignore_custom_paging_policies"]),
            steps=tuple(StepSnapshot.from_json(s) for s in data["steps"]),
        )
