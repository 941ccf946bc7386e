"""Configuration pages: escalation policies with their steps, routing keys, alert rules with
the dry-run tester, maintenance mode, and outgoing webhooks.

Writes go through the same services as the public API, which ask `auth.permissions`: admins
configure (alert admins the alerting parts); any responder may mute routing keys for a noisy
deploy, but only global and alert admins may start or end global maintenance, which silences
all paging.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from openoncall.alert_rules import service as rules
from openoncall.alert_rules.dryrun import dry_run
from openoncall.auth.deps import DbSession, Now
from openoncall.auth.permissions import Action, Target
from openoncall.errors import InvalidInput
from openoncall.maintenance import service as maintenance
from openoncall.policies import service as policies
from openoncall.policies.models import ExecutionType
from openoncall.routing import service as routing
from openoncall.teams.service import list_teams
from openoncall.users.service import list_users
from openoncall.web.deps import (
    ViewerDep,
    redirect,
    render,
    require_may,
    require_team_admin,
    web_router,
)
from openoncall.web.queries import rotation_group_choices
from openoncall.web.signin import Viewer
from openoncall.webhooks import service as webhooks

router = web_router()

SAMPLE_ALERT = {
    "message_type": "CRITICAL",
    "entity_id": "disk/db01",
    "entity_display_name": "Disk almost full on db01",
    "monitoring_tool": "nagios",
}


# ------------------------------------------------------------------ escalation policies


@router.get("/policies")
def policies_page(
    request: Request, session: DbSession, viewer: ViewerDep, team: str = ""
) -> Response:
    listed = policies.list_policies(session, viewer.org.id, team_slug=team or None)
    views = [policies.describe_policy(session, viewer.org.id, p.slug) for p, _t in listed]
    groups = rotation_group_choices(session, viewer.org.id)
    return render(
        request,
        "policies.html",
        {
            "views": views,
            "teams": list_teams(session, viewer.org.id),
            "team": team,
            "groups": groups,
            "users": list_users(session, viewer.org.id),
        },
        viewer=viewer,
    )


@router.post("/policies")
def create_policy(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    name: Annotated[str, Form()],
    team: Annotated[str, Form()],
    first: Annotated[str, Form()],
    then: Annotated[str, Form()] = "",
    timeout: Annotated[int, Form(ge=0, le=10_080)] = 15,
) -> Response:
    """A policy of one or two steps, each paging a rotation group (`rtg:`) or a user (`user:`)."""
    require_team_admin(session, viewer, team)
    steps = [policies.StepSpec(timeout_minutes=0, entries=[_entry(first, "first")])]
    if then:
        steps.append(policies.StepSpec(timeout_minutes=timeout, entries=[_entry(then, "then")]))
    view = policies.create_policy(
        session,
        viewer.org.id,
        name=name,
        team_slug=team,
        ignore_custom_paging_policies=False,
        steps=steps,
        actor=viewer.user.username,
        now=now,
    )
    return redirect(request, "/policies", f"Policy {view.policy.name} created.")


def _entry(target: str, field: str) -> policies.EntrySpec:
    kind, _, slug = target.partition(":")
    if kind == "rtg" and slug:
        return policies.EntrySpec(ExecutionType.ROTATION_GROUP, rotation_group_slug=slug)
    if kind == "user" and slug:
        return policies.EntrySpec(ExecutionType.USER, username=slug)
    raise InvalidInput("Choose a rotation group or a user to page", field=field)


EXTRA_STEP_ROWS = 2


@router.get("/policies/{slug}/edit")
def edit_policy_page(
    request: Request, session: DbSession, viewer: ViewerDep, slug: str
) -> Response:
    """The policy's steps as rows (wait before the step, whom it pages), plus empty rows."""
    view = policies.describe_policy(session, viewer.org.id, slug)
    require_may(viewer, Action.MANAGE_TEAM, Target(teams=frozenset({view.policy.team_id})))
    rows: list[dict[str, Any]] = [
        {"timeout": step.timeout_minutes, "targets": [_target_value(e) for e in step.entries]}
        for step in view.steps
    ]
    for extra in range(EXTRA_STEP_ROWS):
        # An empty row: the first step of an empty policy waits 0, later ones 15 minutes.
        rows.append({"timeout": 0 if not rows and extra == 0 else 15, "targets": []})
    return render(
        request,
        "policy_edit.html",
        {
            "view": view,
            "rows": rows,
            "groups": rotation_group_choices(session, viewer.org.id, view.policy.team_id),
            "users": list_users(session, viewer.org.id),
        },
        viewer=viewer,
    )


def _target_value(entry: policies.EntryView) -> str:
    """An entry as the editor's option value; kinds the editor cannot make keep a value that
    round-trips them (`keep:` plus the entry as JSON)."""
    if entry.execution_type == ExecutionType.ROTATION_GROUP and entry.rotation_group:
        return f"rtg:{entry.rotation_group.slug}"
    if entry.execution_type == ExecutionType.USER and entry.user:
        return f"user:{entry.user.username}"
    if entry.execution_type == ExecutionType.TEAM_PAGE:
        return "team:"
    kept = {
        "type": str(entry.execution_type),
        "rtg": entry.rotation_group.slug if entry.rotation_group else None,
        "email": entry.email,
        "webhook": entry.webhook_slug,
        "policy": entry.target_policy_slug,
    }
    return "keep:" + json.dumps(kept, sort_keys=True)


def _edited_entry(value: str, field: str) -> policies.EntrySpec:
    kind, _, rest = value.partition(":")
    if kind == "team":
        return policies.EntrySpec(ExecutionType.TEAM_PAGE)
    if kind == "keep":
        kept = json.loads(rest)
        return policies.EntrySpec(
            ExecutionType(kept["type"]),
            rotation_group_slug=kept.get("rtg"),
            email=kept.get("email"),
            webhook_slug=kept.get("webhook"),
            target_policy_slug=kept.get("policy"),
        )
    return _entry(value, field)


@router.post("/policies/{slug}")
def update_policy(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    slug: str,
    name: Annotated[str, Form(max_length=255)],
    timeout: Annotated[list[str], Form(max_length=500)],
    target: Annotated[list[str], Form(max_length=5000)] = [],  # noqa: B006  (FastAPI's form list)
) -> Response:
    """Save the editor. Row i has `timeout[i]` (the wait before that step: after the previous
    step, the first after the alert) and the `target` values "i|kind:slug"; rows without a
    target are dropped."""
    policy = policies.get_policy(session, viewer.org.id, slug)
    require_may(viewer, Action.MANAGE_TEAM, Target(teams=frozenset({policy.team_id})))
    chosen: dict[int, list[str]] = {}
    for value in target:
        row, _, choice = value.partition("|")
        if row.isdigit() and choice:
            chosen.setdefault(int(row), []).append(choice)
    steps = []
    for index, raw in enumerate(timeout):
        if not chosen.get(index):
            continue
        field = f"step-{index}-timeout"
        minutes = _int_field(raw, field, 0, 10_080)
        entries = [_edited_entry(v, f"step-{index}-targets") for v in chosen[index]]
        steps.append(policies.StepSpec(timeout_minutes=minutes, entries=entries))
    if not steps:
        raise InvalidInput("Choose whom step 1 pages", field="step-0-targets")
    view = policies.update_policy(
        session,
        viewer.org.id,
        slug,
        name=name,
        steps=steps,
        actor=viewer.user.username,
        now=now,
    )
    return redirect(
        request, f"/policies#policy-{view.policy.slug}", f"Policy {view.policy.name} saved."
    )


def _int_field(raw: str, field: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip() or "0")
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number of minutes", field=field) from None
    if not low <= value <= high:
        raise InvalidInput(f"Must be between {low} and {high}", field=field)
    return value


@router.post("/policies/{slug}/delete")
def delete_policy(
    request: Request, *, session: DbSession, viewer: ViewerDep, now: Now, slug: str
) -> Response:
    policy = policies.get_policy(session, viewer.org.id, slug)
    require_may(viewer, Action.MANAGE_TEAM, Target(teams=frozenset({policy.team_id})))
    policies.delete_policy(session, viewer.org.id, slug, actor=viewer.user.username, now=now)
    return redirect(request, "/policies", "Policy deleted.")


# ------------------------------------------------------------------ routing keys


@router.get("/routing")
def routing_page(request: Request, session: DbSession, viewer: ViewerDep, now: Now) -> Response:
    return render(
        request,
        "routing.html",
        {
            "keys": routing.list_routing_keys(session, viewer.org.id, now=now),
            "policies": policies.list_policies(session, viewer.org.id),
        },
        viewer=viewer,
    )


@router.post("/routing")
def create_routing_key(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    key: Annotated[str, Form()],
    policy: Annotated[list[str], Form()],
) -> Response:
    require_may(viewer, Action.MANAGE_ALERTING)
    view = routing.create_routing_key(session, viewer.org.id, key=key, policy_slugs=policy, now=now)
    return redirect(request, "/routing", f"Routing key {view.key} created.")


@router.post("/routing/{key}/policies")
def set_routing_key_policies(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    key: str,
    policy: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
) -> Response:
    """Point a key (the default one too) at other policies; none: it pages nobody."""
    require_may(viewer, Action.MANAGE_ALERTING)
    routing.set_routing_key_policies(
        session, viewer.org.id, key=key, policy_slugs=[p for p in policy if p], now=now
    )
    return redirect(request, f"/routing#rk-{key}", f"Routing key {key} now pages what you chose.")


# ------------------------------------------------------------------ alert rules


def _rules_page(
    request: Request,
    session: DbSession,
    viewer: Viewer,
    *,
    sample: str,
    routing_key: str = "",
    result: Any = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "rules.html",
        {
            "rules": rules.list_rules(session, viewer.org.id),
            "sample": sample,
            "routing_key": routing_key,
            "result": result,
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/rules")
def rules_page(request: Request, session: DbSession, viewer: ViewerDep) -> Response:
    return _rules_page(request, session, viewer, sample=json.dumps(SAMPLE_ALERT, indent=2))


@router.post("/rules")
def create_rule(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    alert_field: Annotated[str, Form()],
    alert_value_match: Annotated[str, Form()],
    match_type: Annotated[str, Form()] = "WILDCARD",
    route_key: Annotated[str, Form()] = "",
    annotation_title: Annotated[str, Form()] = "",
    annotation_text: Annotated[str, Form()] = "",
    stop: Annotated[bool, Form()] = False,
) -> Response:
    require_may(viewer, Action.MANAGE_ALERTING)
    annotations: tuple[rules.AnnotationSpec, ...] = ()
    if annotation_title.strip():
        annotations = (rules.AnnotationSpec("s", annotation_title.strip(), annotation_text),)
    rules.create_rule(
        session,
        viewer.org.id,
        rules.RuleSpec(
            alert_field=alert_field,
            alert_value_match=alert_value_match,
            match_type=match_type,
            stop_flag=stop,
            routing_key=route_key or None,
            annotations=annotations,
        ),
        by=viewer.user.username,
        now=now,
    )
    return redirect(request, "/rules", "Alert rule created.")


@router.post("/rules/{rule_id}/delete")
def delete_rule(
    request: Request, *, session: DbSession, viewer: ViewerDep, rule_id: int
) -> Response:
    require_may(viewer, Action.MANAGE_ALERTING)
    rules.delete_rule(session, viewer.org.id, rule_id)
    return redirect(request, "/rules", "Alert rule deleted.")


@router.post("/rules/dry-run")
def rules_dry_run(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    alert: Annotated[str, Form()],
    routing_key: Annotated[str, Form()] = "",
) -> Response:
    """What this alert would do now (rules matched, routing, who is paged); stores nothing."""
    try:
        body = json.loads(alert)
    except ValueError as exc:
        raise InvalidInput(f"The alert is not valid JSON: {exc}", field="alert") from exc
    if not isinstance(body, dict):
        raise InvalidInput("The alert must be a JSON object", field="alert")
    result = dry_run(session, viewer.org.id, body, routing_key=routing_key or None, now=now)
    return _rules_page(
        request, session, viewer, sample=alert, routing_key=routing_key, result=result
    )


# ------------------------------------------------------------------ maintenance mode


@router.get("/maintenance")
def maintenance_page(request: Request, session: DbSession, viewer: ViewerDep, now: Now) -> Response:
    return render(
        request,
        "maintenance.html",
        {
            "active": maintenance.list_active(session, viewer.org.id),
            "keys": routing.list_routing_keys(session, viewer.org.id, now=now),
        },
        viewer=viewer,
    )


@router.post("/maintenance")
def start_maintenance(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    purpose: Annotated[str, Form()] = "",
    keys: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
) -> Response:
    """No routing key ticked: global maintenance (every alert recorded, nothing paged)."""
    row = maintenance.start_maintenance(
        session,
        viewer.org.id,
        target_type=maintenance.TARGET_TYPE,
        names=keys,
        purpose=purpose,
        started_by=viewer.user.username,
        by=viewer.actor,
        now=now,
    )
    scope = "global" if row.is_global else ", ".join(row.routing_keys)
    return redirect(request, "/maintenance", f"Maintenance mode started ({scope}).")


@router.post("/maintenance/{instance_id}/end")
def end_maintenance(
    request: Request, *, session: DbSession, viewer: ViewerDep, now: Now, instance_id: str
) -> Response:
    maintenance.end_maintenance(
        session,
        viewer.org.id,
        instance_id,
        ended_by=viewer.user.username,
        by=viewer.actor,
        now=now,
    )
    return redirect(request, "/maintenance", "Maintenance mode ended.")


# ------------------------------------------------------------------ outgoing webhooks


@router.get("/webhooks")
def webhooks_page(request: Request, session: DbSession, viewer: ViewerDep) -> Response:
    return render(
        request,
        "webhooks.html",
        {"webhooks": webhooks.list_webhooks(session, viewer.org.id), "secret": None},
        viewer=viewer,
    )


@router.post("/webhooks")
def create_webhook(
    request: Request,
    *,
    session: DbSession,
    viewer: ViewerDep,
    now: Now,
    label: Annotated[str, Form()],
    url: Annotated[str, Form()],
) -> Response:
    require_may(viewer, Action.MANAGE_ALERTING)
    created = webhooks.create_webhook(session, viewer.org.id, label=label, url=url, now=now)
    return render(
        request,
        "webhooks.html",
        {
            "webhooks": webhooks.list_webhooks(session, viewer.org.id),
            "secret": created.secret,
            "created": created.webhook,
        },
        viewer=viewer,
        status_code=201,
    )


@router.post("/webhooks/{slug}/delete")
def delete_webhook(
    request: Request, *, session: DbSession, viewer: ViewerDep, slug: str
) -> Response:
    require_may(viewer, Action.MANAGE_ALERTING)
    webhooks.remove_webhook(session, viewer.org.id, slug)
    return redirect(request, "/webhooks", "Webhook deleted.")
