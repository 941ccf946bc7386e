"""`openoncall users|teams|rotations|policies|routing-keys|overrides|maintenance|incidents`:
the public API's resources from the shell (see `command_api` for how they run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from openoncall.command_api import body_from, call, emit
from openoncall.command_line import (
    JsonOption,
    OrgOption,
    command_group,
    console,
    example_text,
    print_table,
)
from openoncall.users.commands import set_role_command

FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="The request body as JSON (`-`: stdin); flags override it."),
]


def _show(data: dict[str, Any]) -> None:
    """One object as field/value rows; nested values as compact JSON."""
    print_table(
        ["field", "value"],
        [
            (key, value if not isinstance(value, dict | list) else json.dumps(value))
            for key, value in data.items()
        ],
    )


def _done(message: str) -> Any:
    return lambda _data: console.print(message)


# ---------------------------------------------------------------- users

users_app = command_group(
    "Users: list, show, create, delete.",
    "openoncall users create --username bob --first-name Bob --last-name Ross "
    "--email bob@example.com",
)


users_app.command("set-role", epilog=example_text("openoncall users set-role bob alert_admin"))(
    set_role_command
)


@users_app.command("list", epilog=example_text("openoncall users list --json"))
def users_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List the organization's users."""
    data = call("users.router:list_users_v2", org=org, as_json=as_json, email=None)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["username", "name", "email", "verified"],
            [(u["username"], u["displayName"], u["email"], u["verified"]) for u in d["users"]],
        ),
    )


@users_app.command("show", epilog=example_text("openoncall users show bob"))
def users_show(
    username: Annotated[str, typer.Argument(help="The user's username.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one user."""
    data = call("users.router:get_user", org=org, as_json=as_json, user=username)
    emit(data, as_json=as_json, human=_show)


@users_app.command(
    "create",
    epilog=example_text(
        "openoncall users create --username bob --first-name Bob "
        "--last-name Ross --email bob@example.com"
    ),
)
def users_create(
    *,
    username: Annotated[str | None, typer.Option("--username", help="Login name.")] = None,
    first_name: Annotated[str | None, typer.Option("--first-name", help="Given name.")] = None,
    last_name: Annotated[str | None, typer.Option("--last-name", help="Family name.")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Where pages and the invitation go.")
    ] = None,
    file: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user (with the Default email contact method, like POST /api-public/v1/user);
    with SMTP configured they are emailed a set-password link."""
    body = body_from(
        file,
        as_json=as_json,
        username=username,
        firstName=first_name,
        lastName=last_name,
        email=email,
    )
    data = call("users.router:add_user", org=org, as_json=as_json, write=True, body=body)
    emit(data, as_json=as_json, human=_done(f"User {data['username']} added"))


@users_app.command("delete", epilog=example_text("openoncall users delete bob --replacement alice"))
def users_delete(
    username: Annotated[str, typer.Argument(help="The user's username.")],
    replacement: Annotated[
        str | None,
        typer.Option("--replacement", help="Who takes over their rotations and policy steps."),
    ] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Remove a user; the replacement takes over their rotations and escalation entries."""
    data = call(
        "users.router:delete_user",
        org=org,
        as_json=as_json,
        write=True,
        body={"replacement": replacement} if replacement else None,
        user=username,
        replacement=None,
        replacement_strategy=None,
    )
    emit(data, as_json=as_json, human=_done(f"User {username} removed"))


# ---------------------------------------------------------------- teams

teams_app = command_group(
    "Teams: list, show, create, add-member, delete.", "openoncall teams create --name Ops"
)


@teams_app.command("list", epilog=example_text("openoncall teams list"))
def teams_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List teams with their member counts."""
    data = call("teams.router:list_teams", org=org, as_json=as_json)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["slug", "name", "members", "description"],
            [(t["slug"], t["name"], t["memberCount"], t["description"]) for t in d],
        ),
    )


@teams_app.command("show", epilog=example_text("openoncall teams show team-ab12cd"))
def teams_show(
    team: Annotated[str, typer.Argument(help="The team's slug.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one team."""
    emit(
        call("teams.router:get_team", org=org, as_json=as_json, team=team),
        as_json=as_json,
        human=_show,
    )


@teams_app.command(
    "create", epilog=example_text("openoncall teams create --name Ops --description 'Pager duty'")
)
def teams_create(
    name: Annotated[str | None, typer.Option("--name", help="The team's name.")] = None,
    description: Annotated[str | None, typer.Option("--description", help="What it does.")] = None,
    file: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a team; its slug is printed (other commands take it)."""
    body = body_from(file, as_json=as_json, name=name, description=description)
    data = call("teams.router:add_team", org=org, as_json=as_json, write=True, body=body)
    emit(data, as_json=as_json, human=_done(f"Team {data['name']} added: {data['slug']}"))


@teams_app.command("add-member", epilog=example_text("openoncall teams add-member team-ab12cd bob"))
def teams_add_member(
    team: Annotated[str, typer.Argument(help="The team's slug.")],
    username: Annotated[list[str], typer.Argument(help="Usernames to add.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add users to a team (POST /api-public/v1/team/{team}/members, once per user)."""
    data: Any = None
    for name in username:
        data = call(
            "teams.router:add_member",
            org=org,
            as_json=as_json,
            write=True,
            team=team,
            body={"username": name},
        )
    emit(data, as_json=as_json, human=_done(f"Team {team}: added {', '.join(username)}"))


@teams_app.command("delete", epilog=example_text("openoncall teams delete team-ab12cd"))
def teams_delete(
    team: Annotated[str, typer.Argument(help="The team's slug.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Remove a team with its rotations and escalation policies."""
    data = call("teams.router:delete_team", org=org, as_json=as_json, write=True, team=team)
    emit(data, as_json=as_json, human=_done(f"Team {team} removed"))


# ---------------------------------------------------------------- rotations

TeamOption = Annotated[str, typer.Option("--team", help="The team's slug.")]

rotations_app = command_group(
    "Rotations of a team: list, create, delete.",
    "openoncall rotations create --team team-ab12cd --label Primary --shift-type std "
    "--start 2026-01-05T09:00:00 --duration 7 --timezone Europe/Berlin "
    "--member alice --member bob",
)


@rotations_app.command("list", epilog=example_text("openoncall rotations list --team team-ab12cd"))
def rotations_list(team: TeamOption, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List a team's rotation groups (their slugs are what policy steps page)."""
    data = call("rotations.router:list_rotations", org=org, as_json=as_json, team=team)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["group id", "slug", "label"],
            [(g["groupId"], g["slug"], g["label"]) for g in d["rotationGroups"]],
        ),
    )


@rotations_app.command(
    "create",
    epilog=example_text(
        "openoncall rotations create --team team-ab12cd --label Primary "
        "--shift-type std --start 2026-01-05T09:00:00 --duration 7 --timezone Europe/Berlin "
        "--member alice --member bob"
    ),
)
def rotations_create(
    *,
    team: TeamOption,
    label: Annotated[str | None, typer.Option("--label", help="The rotation's name.")] = None,
    shift_type: Annotated[
        str | None,
        typer.Option(
            "--shift-type",
            help="One shift: std (24/7 handoffs), pho (part of the day), cstm (masks: --file).",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First handoff, ISO-8601 local time.")
    ] = None,
    duration: Annotated[
        int | None, typer.Option("--duration", help="Days between handoffs.")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="The shift's time zone (IANA name).")
    ] = None,
    member: Annotated[
        list[str] | None,
        typer.Option("--member", metavar="USERNAME", help="A username, in turn order; repeat."),
    ] = None,
    file: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a rotation group: one shift from the flags, or any shifts from --file (the
    body of POST /api-public/v1/teams/{team}/rotations)."""
    shift = {
        key: value
        for key, value in {
            "label": label,
            "shifttype": shift_type,
            "start": start,
            "duration": duration,
            "timezone": timezone,
            "usernames": member,
        }.items()
        if value not in (None, [])
    }
    body = body_from(
        file, as_json=as_json, label=label, shifts=[shift] if shift_type is not None else None
    )
    data = call(
        "rotations.router:create_rotation",
        org=org,
        as_json=as_json,
        write=True,
        body=body,
        team=team,
    )
    emit(data, as_json=as_json, human=_done(f"Rotation {data['slug']} created (id {data['id']})"))


@rotations_app.command(
    "delete", epilog=example_text("openoncall rotations delete --team team-ab12cd 12")
)
def rotations_delete(
    group_id: Annotated[int, typer.Argument(help="The rotation group's id (see list).")],
    team: TeamOption,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a rotation group (refused while an escalation policy pages it)."""
    data = call(
        "rotations.router:delete_rotation",
        org=org,
        as_json=as_json,
        write=True,
        team=team,
        group_id=group_id,
    )
    emit(data, as_json=as_json, human=_done(f"Rotation {group_id} deleted"))


# ---------------------------------------------------------------- escalation policies

STEP_HELP = (
    "A step: [MINUTES:]TYPE:TARGET[,TYPE:TARGET...]; repeat for each step, in order. "
    "MINUTES is the wait BEFORE the step runs, from the previous step (the first: from when "
    "the incident opened); without it 0. TYPE: rotation_group (who is on call in that "
    "rotation), rotation_group_next, rotation_group_previous, user, email, webhook, policy."
)
_ENTRY_REFS = {
    "rotation_group": ("rotationGroup", "slug"),
    "rotation_group_next": ("rotationGroup", "slug"),
    "rotation_group_previous": ("rotationGroup", "slug"),
    "user": ("user", "username"),
    "email": ("email", "address"),
    "webhook": ("webhook", "slug"),
    "policy": ("targetPolicy", "policySlug"),
}


def parse_step(text: str) -> dict[str, Any]:
    """`15:user:bob,rotation_group:primary` as a policy step of the API."""
    timeout = 0
    head, sep, rest = text.partition(":")
    if sep and head.strip().isdigit():
        timeout, text = int(head), rest
    entries = []
    for part in text.split(","):
        kind, _, target = part.strip().partition(":")
        if kind not in _ENTRY_REFS or not target:
            raise typer.BadParameter(
                f"{part!r} is not TYPE:TARGET with TYPE one of {', '.join(_ENTRY_REFS)}",
                param_hint="--step",
            )
        ref, key = _ENTRY_REFS[kind]
        execution = "policy_routing" if kind == "policy" else kind
        entries.append({"executionType": execution, ref: {key: target}})
    return {"timeout": timeout, "entries": entries}


policies_app = command_group(
    "Escalation policies: list, show, create, delete.",
    "openoncall policies create --team team-ab12cd --name Ops "
    "--step rotation_group:primary --step 15:user:bob",
)


@policies_app.command("list", epilog=example_text("openoncall policies list"))
def policies_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List escalation policies with their teams."""
    data = call("policies.router:list_policies", org=org, as_json=as_json)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["slug", "name", "team"],
            [(p["policy"]["slug"], p["policy"]["name"], p["team"]["slug"]) for p in d["policies"]],
        ),
    )


def _entry_text(entry: dict[str, Any]) -> str:
    kind = entry["executionType"]
    ref, key = _ENTRY_REFS["policy" if kind == "policy_routing" else kind]
    return f"{kind} {(entry.get(ref) or {}).get(key, '?')}"


def _show_policy(data: dict[str, Any]) -> None:
    console.print(f"{data['name']} ({data['slug']}), team {data['teamSlug']}")
    for number, step in enumerate(data["steps"], start=1):
        targets = ", ".join(_entry_text(e) for e in step["entries"])
        console.print(f"  step {number}, after {step['timeout']} min: {targets}")


@policies_app.command("show", epilog=example_text("openoncall policies show pol-ab12cd"))
def policies_show(
    policy: Annotated[str, typer.Argument(help="The policy's slug.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a policy and its steps."""
    data = call("policies.router:get_policy", org=org, as_json=as_json, policy=policy)
    emit(data, as_json=as_json, human=_show_policy)


@policies_app.command(
    "create",
    epilog="\b\nExample: page the rotation `primary` at once, then bob 15 minutes later:\n"
    "  openoncall policies create --team team-ab12cd --name Ops "
    "--step rotation_group:primary --step 15:user:bob",
)
def policies_create(
    *,
    team: Annotated[str | None, typer.Option("--team", help="The team's slug.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The policy's name.")] = None,
    step: Annotated[
        list[str] | None, typer.Option("--step", metavar="STEP", help=STEP_HELP)
    ] = None,
    ignore_custom_paging_policies: Annotated[
        bool,
        typer.Option(
            "--ignore-custom-paging-policies",
            help="Page users by their primary paging policy, ignoring custom (time-based) ones.",
        ),
    ] = False,
    file: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an escalation policy (the body of POST /api-public/v1/policies)."""
    body = body_from(
        file,
        as_json=as_json,
        teamSlug=team,
        name=name,
        steps=[parse_step(s) for s in step or []],
        ignoreCustomPagingPolicies=ignore_custom_paging_policies or None,
    )
    data = call("policies.router:create_policy", org=org, as_json=as_json, write=True, body=body)
    emit(data, as_json=as_json, human=_done(f"Policy {data['name']} created: {data['slug']}"))


@policies_app.command("delete", epilog=example_text("openoncall policies delete pol-ab12cd"))
def policies_delete(
    policy: Annotated[str, typer.Argument(help="The policy's slug.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete an escalation policy."""
    data = call(
        "policies.router:delete_policy", org=org, as_json=as_json, write=True, policy=policy
    )
    emit(data, as_json=as_json, human=_done(f"Policy {policy} deleted"))


# ---------------------------------------------------------------- routing keys

routing_keys_app = command_group(
    "Routing keys: list, create. An alert's routing key picks the policies it pages; "
    "the `default` key pages nobody until it targets a policy.",
    "openoncall routing-keys create --key database --policy pol-ab12cd",
)


@routing_keys_app.command("list", epilog=example_text("openoncall routing-keys list"))
def routing_keys_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List routing keys and the policies they page."""
    data = call("routing.router:list_routing_keys", org=org, as_json=as_json)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["routing key", "default", "policies"],
            [
                (
                    k["routingKey"],
                    "yes" if k["isDefault"] else "",
                    ", ".join(t["policySlug"] for t in k["targets"]),
                )
                for k in d["routingKeys"]
            ],
        ),
    )


@routing_keys_app.command(
    "create",
    epilog=example_text("openoncall routing-keys create --key database --policy pol-ab12cd"),
)
def routing_keys_create(
    key: Annotated[str | None, typer.Option("--key", help="The routing key.")] = None,
    policy: Annotated[
        list[str] | None,
        typer.Option("--policy", metavar="SLUG", help="A policy slug it pages; repeat."),
    ] = None,
    file: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a routing key that pages the given escalation policies."""
    body = body_from(file, as_json=as_json, routingKey=key, targets=policy)
    data = call(
        "routing.router:create_routing_key", org=org, as_json=as_json, write=True, body=body
    )
    emit(data, as_json=as_json, human=_done(f"Routing key {data['routingKey']} created"))


# ---------------------------------------------------------------- scheduled overrides

overrides_app = command_group(
    "Scheduled overrides: list, show, create, delete.",
    "openoncall overrides create --user bob --timezone Europe/Berlin "
    "--start 2026-02-01T09:00:00Z --end 2026-02-02T09:00:00Z",
)


@overrides_app.command("list", epilog=example_text("openoncall overrides list"))
def overrides_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List the scheduled overrides that have not ended yet."""
    data = call("overrides.router:list_overrides", org=org, as_json=as_json)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["id", "user", "start", "end", "assignments"],
            [
                (
                    o["publicId"],
                    o["user"]["username"],
                    o["start"],
                    o["end"],
                    ", ".join(f"{a['policy']}: {a['user'] or '-'}" for a in o["assignments"]),
                )
                for o in d["overrides"]
            ],
        ),
    )


@overrides_app.command("show", epilog=example_text("openoncall overrides show ovr-ab12cd"))
def overrides_show(
    override: Annotated[str, typer.Argument(help="The override's id.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one scheduled override."""
    data = call("overrides.router:get_override", org=org, as_json=as_json, publicId=override)
    emit(data, as_json=as_json, human=lambda d: _show(d["override"]))


@overrides_app.command(
    "create",
    epilog=example_text(
        "openoncall overrides create --user bob --timezone Europe/Berlin "
        "--start 2026-02-01T09:00:00Z --end 2026-02-02T09:00:00Z"
    ),
)
def overrides_create(
    *,
    user: Annotated[
        str | None, typer.Option("--user", help="Whose on-call time is handed over.")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone of the period.")
    ] = None,
    start: Annotated[str | None, typer.Option("--start", help="ISO-8601 start.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="ISO-8601 end.")] = None,
    file: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a scheduled override, with one unassigned assignment per affected policy."""
    body = body_from(file, as_json=as_json, username=user, timezone=timezone, start=start, end=end)
    data = call("overrides.router:create_override", org=org, as_json=as_json, write=True, body=body)
    emit(data, as_json=as_json, human=_done(f"Override {data['schedule']['publicId']} created"))


@overrides_app.command("delete", epilog=example_text("openoncall overrides delete ovr-ab12cd"))
def overrides_delete(
    override: Annotated[str, typer.Argument(help="The override's id.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a scheduled override and its assignments."""
    data = call(
        "overrides.router:delete_override", org=org, as_json=as_json, write=True, publicId=override
    )
    emit(data, as_json=as_json, human=_done(f"Override {override} deleted"))


# ---------------------------------------------------------------- maintenance mode

maintenance_app = command_group(
    "Maintenance mode: list, start, end. While it is on, matching alerts page nobody.",
    "openoncall maintenance start --routing-key database --purpose 'DB upgrade'",
)


def _show_maintenance(data: dict[str, Any]) -> None:
    print_table(
        ["id", "global", "routing keys", "started by"],
        [
            (
                m["instanceId"],
                "yes" if m["isGlobal"] else "",
                ", ".join(n for t in m["targets"] for n in t["names"]),
                m["startedBy"],
            )
            for m in data["activeInstances"]
        ],
    )


@maintenance_app.command("list", epilog=example_text("openoncall maintenance list"))
def maintenance_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List the active maintenance windows."""
    data = call("maintenance.router:get_maintenance_mode", org=org, as_json=as_json)
    emit(data, as_json=as_json, human=_show_maintenance)


@maintenance_app.command(
    "start", epilog=example_text("openoncall maintenance start --routing-key database")
)
def maintenance_start(
    routing_key: Annotated[
        list[str] | None,
        typer.Option(
            "--routing-key", metavar="KEY", help="A routing key to silence; repeat. None: global."
        ),
    ] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="Why.")] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start maintenance for routing keys, or for everything when none is given."""
    body = {"type": "RoutingKeys", "names": routing_key or [], "purpose": purpose or ""}
    data = call(
        "maintenance.router:start_maintenance_mode", org=org, as_json=as_json, write=True, body=body
    )
    emit(data, as_json=as_json, human=_show_maintenance)


@maintenance_app.command("end", epilog=example_text("openoncall maintenance end mm-ab12cd"))
def maintenance_end(
    instance: Annotated[str, typer.Argument(help="The maintenance window's id (see list).")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """End one maintenance window."""
    data = call(
        "maintenance.router:end_maintenance_mode",
        org=org,
        as_json=as_json,
        write=True,
        maintenancemodeid=instance,
    )
    emit(data, as_json=as_json, human=_show_maintenance)


# ---------------------------------------------------------------- incidents

ActingUser = Annotated[str, typer.Option("--user", help="Who acts (a username).")]
Numbers = Annotated[list[str], typer.Argument(help="Incident numbers.")]

incidents_app = command_group(
    "Incidents: list, show, ack, resolve, reroute, note.",
    "openoncall incidents ack 12 --user bob --message 'looking'",
)


def _show_results(data: dict[str, Any]) -> None:
    print_table(
        ["incident", "accepted", "message"],
        [
            (r["incidentNumber"], "yes" if r["cmdAccepted"] else "no", r["message"])
            for r in data["results"]
        ],
    )


@incidents_app.command("list", epilog=example_text("openoncall incidents list"))
def incidents_list(org: OrgOption = None, as_json: JsonOption = False) -> None:
    """Open and acknowledged incidents, and those resolved in the last 24 hours."""
    data = call("incidents.router:list_incidents", org=org, as_json=as_json)
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["#", "phase", "started", "routing key", "summary"],
            [
                (
                    i["incidentNumber"],
                    i["currentPhase"],
                    i["startTime"],
                    i["routingKey"],
                    i["entityDisplayName"] or i["entityId"],
                )
                for i in d["incidents"]
            ],
        ),
    )


@incidents_app.command("show", epilog=example_text("openoncall incidents show 12"))
def incidents_show(
    number: Annotated[str, typer.Argument(help="The incident number.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """One incident with its paged targets and transitions."""
    data = call("incidents.router:get_incident", org=org, as_json=as_json, number=number)
    emit(data, as_json=as_json, human=_show)


def _ack_or_resolve(
    *,
    handler: str,
    numbers: list[str],
    user: str,
    message: str | None,
    org: str | None,
    as_json: bool,
) -> None:
    body = {"userName": user, "incidentNames": numbers, "message": message}
    data = call(handler, org=org, as_json=as_json, write=True, body=body)
    emit(data, as_json=as_json, human=_show_results)
    if not all(r["cmdAccepted"] for r in data["results"]):
        raise typer.Exit(code=1)


MessageOption = Annotated[str | None, typer.Option("--message", help="A note for the timeline.")]


@incidents_app.command("ack", epilog=example_text("openoncall incidents ack 12 13 --user bob"))
def incidents_ack(
    numbers: Numbers,
    user: ActingUser,
    message: MessageOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge incidents; a result per incident (exit 1 if any was refused)."""
    _ack_or_resolve(
        handler="incidents.router:ack_incidents",
        numbers=numbers,
        user=user,
        message=message,
        org=org,
        as_json=as_json,
    )


@incidents_app.command("resolve", epilog=example_text("openoncall incidents resolve 12 --user bob"))
def incidents_resolve(
    numbers: Numbers,
    user: ActingUser,
    message: MessageOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve incidents; a result per incident (exit 1 if any was refused)."""
    _ack_or_resolve(
        handler="incidents.router:resolve_incidents",
        numbers=numbers,
        user=user,
        message=message,
        org=org,
        as_json=as_json,
    )


def _target(text: str) -> dict[str, str]:
    kind, _, slug = text.partition(":")
    types = {"user": "User", "policy": "EscalationPolicy"}
    if kind not in types or not slug:
        raise typer.BadParameter(f"{text!r} is not user:USERNAME or policy:SLUG", param_hint="--to")
    return {"type": types[kind], "slug": slug}


@incidents_app.command(
    "reroute",
    epilog=example_text("openoncall incidents reroute 12 --user bob --to policy:pol-ab12cd"),
)
def incidents_reroute(
    *,
    number: Annotated[str, typer.Argument(help="The incident number.")],
    user: ActingUser,
    to: Annotated[
        list[str],
        typer.Option(
            "--to", metavar="TARGET", help="user:USERNAME or policy:SLUG to page; repeat."
        ),
    ],
    add: Annotated[
        bool, typer.Option("--add", help="Page them too, instead of in place of the others.")
    ] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Page other users or escalation policies for an open incident."""
    body = {
        "userName": user,
        "reroutes": [
            {"incidentNumber": number, "targets": [_target(t) for t in to], "addTargets": add}
        ],
    }
    data = call(
        "incidents.router:reroute_incidents", org=org, as_json=as_json, write=True, body=body
    )
    emit(
        data,
        as_json=as_json,
        human=lambda d: print_table(
            ["incident", "rerouted", "message"],
            [
                (s["incidentNumber"], "yes" if s["success"] else "no", s["message"])
                for s in d["statuses"]
            ],
        ),
    )
    if not all(s["success"] for s in data["statuses"]):
        raise typer.Exit(code=1)


@incidents_app.command(
    "note", epilog=example_text("openoncall incidents note 12 --name cause --text 'disk full'")
)
def incidents_note(
    *,
    number: Annotated[str, typer.Argument(help="The incident number.")],
    name: Annotated[str, typer.Option("--name", help="The note's name (unique per incident).")],
    text: Annotated[
        str | None, typer.Option("--text", help='The note, stored as {"text": TEXT}.')
    ] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="The note's JSON object, instead of --text.")
    ] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="A title people read.")
    ] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a named note to an incident."""
    json_value: Any = {"text": text} if text is not None else {}
    if value is not None:
        try:
            json_value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"not JSON: {exc}", param_hint="--value") from exc
    body = {"name": name, "display_name": display_name or name, "json_value": json_value}
    data = call(
        "incidents.router:create_note",
        org=org,
        as_json=as_json,
        write=True,
        body=body,
        number=number,
    )
    emit(data, as_json=as_json, human=_done(f"Note {data['name']} added to incident {number}"))


RESOURCE_GROUPS = {
    "users": users_app,
    "teams": teams_app,
    "rotations": rotations_app,
    "policies": policies_app,
    "routing-keys": routing_keys_app,
    "overrides": overrides_app,
    "maintenance": maintenance_app,
    "incidents": incidents_app,
}
