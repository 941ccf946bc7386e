"""Alert-rule use cases: list, create, update, delete, and load as pure `matcher.Rule`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from openoncall.alert_rules import matcher
from openoncall.alert_rules.models import AlertRule, AlertRuleAnnotation
from openoncall.errors import InvalidInput, NotFound

MAX_PATTERN_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class AnnotationSpec:
    annotation_type: str
    field_name: str
    field_value: str
    flags: int = matcher.FLAG_ANNOTATION


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule as a client writes it (AlertRulePayload)."""

    alert_field: str
    alert_value_match: str
    match_type: str = matcher.WILDCARD
    rank: int = 0
    stop_flag: bool = False
    notes: str = ""
    routing_key: str | None = None
    annotations: tuple[AnnotationSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleView:
    rule: AlertRule
    annotations: tuple[AlertRuleAnnotation, ...]


def _validate(spec: RuleSpec) -> RuleSpec:
    if not spec.alert_field.strip():
        raise InvalidInput("alertField must not be empty", field="alertField")
    match_type = spec.match_type.upper()
    if match_type not in matcher.MATCH_TYPES:
        raise InvalidInput("matchType must be WILDCARD or REGEX", field="matchType")
    if len(spec.alert_value_match) > MAX_PATTERN_LENGTH:
        raise InvalidInput("alertValueMatch is too long", field="alertValueMatch")
    try:
        matcher.compile_pattern(match_type, spec.alert_value_match)
    except matcher.InvalidPattern as exc:
        raise InvalidInput(str(exc), field="alertValueMatch") from exc
    if spec.rank < 0:
        raise InvalidInput("rank must be 0 or more", field="rank")
    for i, item in enumerate(spec.annotations):
        if item.annotation_type not in matcher.ANNOTATION_TYPES:
            raise InvalidInput(
                "annotationType must be one of i, u, s", field=f"annotations.{i}.annotationType"
            )
        if item.flags not in (matcher.FLAG_ANNOTATION, matcher.FLAG_TRANSFORMATION):
            raise InvalidInput("flags must be 0 or 1", field=f"annotations.{i}.flags")
        if not item.field_name.strip():
            raise InvalidInput("fieldName must not be empty", field=f"annotations.{i}.fieldName")
    route = spec.routing_key or None
    return RuleSpec(
        alert_field=spec.alert_field,
        alert_value_match=spec.alert_value_match,
        match_type=match_type,
        rank=spec.rank,
        stop_flag=spec.stop_flag,
        notes=spec.notes,
        routing_key=route,
        annotations=spec.annotations,
    )


def _annotations(
    session: Session, org_id: int, rule_ids: Sequence[int]
) -> dict[int, list[AlertRuleAnnotation]]:
    found: dict[int, list[AlertRuleAnnotation]] = {i: [] for i in rule_ids}
    if not rule_ids:
        return found
    for item in session.scalars(
        select(AlertRuleAnnotation)
        .where(AlertRuleAnnotation.org_id == org_id, AlertRuleAnnotation.rule_id.in_(rule_ids))
        .order_by(AlertRuleAnnotation.rule_id, AlertRuleAnnotation.position)
    ):
        found[item.rule_id].append(item)
    return found


def list_rules(session: Session, org_id: int) -> list[RuleView]:
    rules = session.scalars(
        select(AlertRule).where(AlertRule.org_id == org_id).order_by(AlertRule.rank, AlertRule.id)
    ).all()
    notes = _annotations(session, org_id, [r.id for r in rules])
    return [RuleView(r, tuple(notes[r.id])) for r in rules]


def load_rules(session: Session, org_id: int) -> list[matcher.Rule]:
    """The org's rules as pure values for `matcher.apply_rules` (read per alert batch, so
    with two Core queries rather than ORM objects)."""
    conn = session.connection()
    rule_rows = conn.execute(
        select(
            AlertRule.id,
            AlertRule.alert_field,
            AlertRule.alert_value_match,
            AlertRule.match_type,
            AlertRule.rank,
            AlertRule.stop_flag,
            AlertRule.route_key,
        )
        .where(AlertRule.org_id == org_id)
        .order_by(AlertRule.rank, AlertRule.id)
    ).all()
    if not rule_rows:
        return []
    notes: dict[int, list[matcher.Annotation]] = {r.id: [] for r in rule_rows}
    for a in conn.execute(
        select(
            AlertRuleAnnotation.rule_id,
            AlertRuleAnnotation.annotation_type,
            AlertRuleAnnotation.field_name,
            AlertRuleAnnotation.field_value,
            AlertRuleAnnotation.flags,
        )
        .where(AlertRuleAnnotation.org_id == org_id)
        .order_by(AlertRuleAnnotation.rule_id, AlertRuleAnnotation.position)
    ):
        if a.rule_id in notes:
            notes[a.rule_id].append(
                matcher.Annotation(a.annotation_type, a.field_name, a.field_value, a.flags)
            )
    return [
        matcher.Rule(
            id=r.id,
            alert_field=r.alert_field,
            alert_value_match=r.alert_value_match,
            match_type=r.match_type,
            rank=r.rank,
            stop_flag=r.stop_flag,
            route_key=r.route_key,
            annotations=tuple(notes[r.id]),
        )
        for r in rule_rows
    ]


def _get(session: Session, org_id: int, rule_id: int) -> AlertRule:
    rule = session.scalar(
        select(AlertRule).where(AlertRule.org_id == org_id, AlertRule.id == rule_id)
    )
    if rule is None:
        raise NotFound(f"Alert rule {rule_id} not found", field="ruleId")
    return rule


def _write_annotations(
    session: Session, org_id: int, rule_id: int, items: Sequence[AnnotationSpec]
) -> tuple[AlertRuleAnnotation, ...]:
    rows = [
        AlertRuleAnnotation(
            org_id=org_id,
            rule_id=rule_id,
            position=i,
            annotation_type=a.annotation_type,
            field_name=a.field_name,
            field_value=a.field_value,
            flags=a.flags,
        )
        for i, a in enumerate(items)
    ]
    session.add_all(rows)
    session.flush()
    return tuple(rows)


def create_rule(
    session: Session, org_id: int, spec: RuleSpec, *, by: str, now: datetime
) -> RuleView:
    spec = _validate(spec)
    rule = AlertRule(
        org_id=org_id,
        alert_field=spec.alert_field,
        alert_value_match=spec.alert_value_match,
        match_type=spec.match_type,
        rank=spec.rank,
        stop_flag=spec.stop_flag,
        notes=spec.notes,
        route_key=spec.routing_key,
        last_updated_at=now,
        last_updated_by=by,
    )
    session.add(rule)
    session.flush()
    return RuleView(rule, _write_annotations(session, org_id, rule.id, spec.annotations))


def update_rule(
    session: Session, org_id: int, rule_id: int, spec: RuleSpec, *, by: str, now: datetime
) -> RuleView:
    rule = _get(session, org_id, rule_id)
    spec = _validate(spec)
    rule.alert_field = spec.alert_field
    rule.alert_value_match = spec.alert_value_match
    rule.match_type = spec.match_type
    rule.rank = spec.rank
    rule.stop_flag = spec.stop_flag
    rule.notes = spec.notes
    rule.route_key = spec.routing_key
    rule.last_updated_at = now
    rule.last_updated_by = by
    session.execute(
        delete(AlertRuleAnnotation).where(
            AlertRuleAnnotation.org_id == org_id, AlertRuleAnnotation.rule_id == rule.id
        )
    )
    return RuleView(rule, _write_annotations(session, org_id, rule.id, spec.annotations))


def delete_rule(session: Session, org_id: int, rule_id: int) -> None:
    rule = _get(session, org_id, rule_id)
    session.delete(rule)
    session.flush()
