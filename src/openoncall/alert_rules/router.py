"""Rules Engine endpoints: /api-public/v1/alertRules (vendor) and the dry-run extension
POST /api-ext/v1/alert-rules/dry-run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Path, Query

from openoncall.alert_rules import service
from openoncall.alert_rules.dryrun import dry_run
from openoncall.alert_rules.schemas import (
    AlertRuleInfo,
    AlertRulePayload,
    AnnotationInfo,
    DeletedAlertRule,
    DryRunResult,
    PagedNow,
    PolicyRef,
)
from openoncall.api.paging import PageDep
from openoncall.api.wire import epoch_ms
from openoncall.auth.deps import CallerDep, DbSession, Now, public_router
from openoncall.incidents.queries import actor_for_key
from openoncall.storable import MAX_DB_INT, MIN_DB_INT

router = public_router(tags=["Alert Rules"])

PATH = "/api-public/v1/alertRules"
RuleId = Annotated[int, Path(alias="ruleId", ge=MIN_DB_INT, le=MAX_DB_INT)]


def rule_info(view: service.RuleView) -> AlertRuleInfo:
    rule = view.rule
    return AlertRuleInfo(
        id=rule.id,
        alert_field=rule.alert_field,
        alert_value_match=rule.alert_value_match,
        match_type=rule.match_type,
        rank=rule.rank,
        stop_flag=rule.stop_flag,
        last_updated=epoch_ms(rule.last_updated_at),
        last_updated_by=rule.last_updated_by,
        notes=rule.notes,
        route_key=rule.route_key,
        annotations=[
            AnnotationInfo(
                id=a.id,
                annotation_type=a.annotation_type,
                field_name=a.field_name,
                field_value=a.field_value,
                flags=a.flags,
            )
            for a in view.annotations
        ],
    )


def _spec(body: AlertRulePayload) -> service.RuleSpec:
    return service.RuleSpec(
        alert_field=body.alert_field,
        alert_value_match=body.alert_value_match,
        match_type=body.match_type,
        rank=body.rank,
        stop_flag=body.stop_flag,
        notes=body.notes,
        routing_key=body.routing_key,
        annotations=tuple(
            service.AnnotationSpec(a.annotation_type, a.field_name, a.field_value, a.flags)
            for a in body.annotations
        ),
    )


@router.get(PATH, response_model=list[AlertRuleInfo])
def list_alert_rules(session: DbSession, caller: CallerDep, page: PageDep) -> list[AlertRuleInfo]:
    """The organization's alert rules in the order they run (rank 0 first)."""
    return [rule_info(v) for v in page.of(service.list_rules(session, caller.org_id))]


@router.post(PATH, response_model=AlertRuleInfo)
def create_alert_rule(
    body: AlertRulePayload, session: DbSession, caller: CallerDep, now: Now
) -> AlertRuleInfo:
    """Create an alert rule."""
    by = actor_for_key(session, caller.org_id, caller.created_by_user_id)
    return rule_info(service.create_rule(session, caller.org_id, _spec(body), by=by, now=now))


@router.put(f"{PATH}/{{ruleId}}", response_model=AlertRuleInfo)
def update_alert_rule(
    rule_id: RuleId,
    body: AlertRulePayload,
    session: DbSession,
    caller: CallerDep,
    now: Now,
) -> AlertRuleInfo:
    """Replace an alert rule (annotations included)."""
    by = actor_for_key(session, caller.org_id, caller.created_by_user_id)
    view = service.update_rule(session, caller.org_id, rule_id, _spec(body), by=by, now=now)
    return rule_info(view)


@router.delete(f"{PATH}/{{ruleId}}", response_model=DeletedAlertRule)
def delete_alert_rule(
    rule_id: RuleId,
    session: DbSession,
    caller: CallerDep,
) -> DeletedAlertRule:
    """Delete an alert rule."""
    service.delete_rule(session, caller.org_id, rule_id)
    return DeletedAlertRule(id=rule_id)


@router.post("/api-ext/v1/alert-rules/dry-run", response_model=DryRunResult)
def dry_run_alert(
    alert: Annotated[dict[str, Any], Body(description="An alert, as sent to the REST endpoint.")],
    session: DbSession,
    caller: CallerDep,
    now: Now,
    routing_key: Annotated[str | None, Query(alias="routingKey")] = None,
) -> DryRunResult:
    """Extension: what this alert would do now (rules, routing, policies, who is paged),
    without storing anything."""
    result = dry_run(session, caller.org_id, alert, routing_key=routing_key, now=now)
    return DryRunResult(
        matched_rules=[rule_info(v) for v in result.matched],
        alert=result.fields,
        message_type=result.message_type,
        entity_id=result.entity_id,
        requested_routing_key=result.requested_routing_key,
        routing_key=result.routing_key,
        is_muted=result.is_muted,
        incident_action=result.incident_action,
        open_incident_number=(
            str(result.open_incident_number) if result.open_incident_number is not None else None
        ),
        policies=[
            PolicyRef(
                name=p.name,
                slug=p.slug,
                team_slug=p.team_slug,
                self_url=f"/api-public/v1/policies/{p.slug}",
            )
            for p in result.policies
        ],
        paged_now=[PagedNow(policy_slug=k, usernames=v) for k, v in result.paged_now.items()],
        note=result.note,
    )
