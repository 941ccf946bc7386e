"""Read a Splunk On-Call organization through its public API (API ID + key) into neutral
shapes. The shapes read are the live service's, which OpenOnCall also serves, so the same
reader moves an organization between two OpenOnCall servers.

What the API cannot give is left out with a reason: push devices (they register from the
mobile app), passwords (imported users get an invitation instead), webhook signing secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openoncall.importers import neutral as n
from openoncall.importers.source_http import SourceClient

NAME = "splunk-oncall"
# The vendor's per-minute limits (its Swagger, 2020-06): 60 for most reads, 20 for profiles.
LIMITS = {"/api-public/v1/profile/{user}/policies": 20}

Progress = Callable[[str, int, int], None]  # (kind, done, total)


def client(
    url: str, api_id: str, api_key: str, *, calls_per_minute: int | None = None
) -> SourceClient:
    """A reader at the vendor's per-minute limits, or at `calls_per_minute` on every endpoint."""
    return SourceClient(
        base_url=url,
        headers={"X-VO-Api-Id": api_id, "X-VO-Api-Key": api_key},
        limits={} if calls_per_minute else LIMITS,
        default_limit=calls_per_minute or 60,
    )


def read(source: SourceClient, *, name: str, progress: Progress | None = None) -> n.Source:
    report = progress or (lambda _kind, _done, _total: None)
    found = n.Source(name=name)
    _users(source, found, report)
    _teams(source, found, report)
    _webhooks(source, found)
    _policies(source, found, report)
    _routing_keys(source, found)
    _overrides(source, found)
    return found


def _users(source: SourceClient, found: n.Source, report: Progress) -> None:
    body = source.get("/api-public/v1/user")
    # The live list nests the users in one more array.
    rows = [
        u
        for group in body.get("users", [])
        for u in (group if isinstance(group, list) else [group])
    ]
    for i, row in enumerate(rows):
        username = row["username"]
        contacts = source.get("/api-public/v1/user/{user}/contact-methods", user=username)
        emails = [
            (c.get("label") or "", c["value"])
            for c in contacts.get("emails", {}).get("contactMethods", [])
        ]
        phones = [
            (c.get("label") or "", c["value"])
            for c in contacts.get("phones", {}).get("contactMethods", [])
        ]
        devices = contacts.get("devices", {}).get("contactMethods", [])
        if devices:
            found.left_out.append(
                n.LeftOut(
                    "device", username, f"{len(devices)} push device(s): re-register in the app"
                )
            )
        by_id = {
            c["id"]: c["value"]
            for kind in ("emails", "phones")
            for c in contacts.get(kind, {}).get("contactMethods", [])
        }
        profile = source.get("/api-public/v1/profile/{user}/policies", user=username)
        paging = tuple(
            n.PagingStep(
                timeout=int(step.get("timeout", 0)),
                rules=tuple(
                    n.PagingRule(
                        type=rule["type"],
                        contact=by_id.get((rule.get("contact") or {}).get("id")),
                    )
                    for rule in step.get("rules", [])
                ),
            )
            for step in profile.get("steps", [])
        )
        email = row.get("email") or ""
        found.users.append(
            n.User(
                id=username,
                username=username,
                first_name=row.get("firstName") or "",
                last_name=row.get("lastName") or "",
                email=email,
                emails=tuple(e for e in emails if e[1] != email),
                phones=tuple(phones),
                paging=paging,
            )
        )
        report("users", i + 1, len(rows))


def _teams(source: SourceClient, found: n.Source, report: Progress) -> None:
    teams = source.get("/api-public/v1/team")
    for i, row in enumerate(teams):
        slug = row["slug"]
        members = source.get("/api-public/v1/team/{team}/members", team=slug).get("members", [])
        admins = source.get("/api-public/v1/team/{team}/admins", team=slug).get("teamAdmins", [])
        found.teams.append(
            n.Team(
                id=slug,
                name=row["name"],
                description=row.get("description") or "",
                members=tuple(m["username"] for m in members),
                admins=tuple(a["username"] for a in admins),
            )
        )
        for rotation in source.get("/api-public/v2/team/{team}/rotations", team=slug).get(
            "rotations", []
        ):
            found.rotations.append(_rotation(slug, rotation))
        report("teams", i + 1, len(teams))


def _rotation(team: str, row: dict[str, Any]) -> n.Rotation:
    shifts = []
    for shift in row.get("shifts", []):
        holder = shift.get("current") or shift.get("next") or {}
        shifts.append(
            n.Shift(
                label=shift["label"],
                timezone=shift["timezone"],
                start=shift["start"],
                duration=int(shift.get("duration") or 7),
                shifttype=shift.get("shifttype") or "std",
                masks=(shift.get("mask"), shift.get("mask2"), shift.get("mask3")),
                members=tuple(m["username"] for m in shift.get("shiftMembers", [])),
                now_on_call=holder.get("username"),
            )
        )
    return n.Rotation(id=row["slug"], team=team, label=row["label"], shifts=tuple(shifts))


def _webhooks(source: SourceClient, found: n.Source) -> None:
    for row in source.get("/api-public/v1/webhooks").get("webHooks", []):
        found.webhooks.append(
            n.Webhook(id=row["slug"], label=row.get("label") or row["slug"], url=row["url"])
        )


_TARGETS = {
    "rotation_group": lambda e: e["rotationGroup"]["slug"],
    "rotation_group_next": lambda e: e["rotationGroup"]["slug"],
    "rotation_group_previous": lambda e: e["rotationGroup"]["slug"],
    "user": lambda e: e["user"]["username"],
    "email": lambda e: e["email"]["address"],
    "webhook": lambda e: e["webhook"]["slug"],
    "policy_routing": lambda e: e["targetPolicy"]["policySlug"],
}


def _policies(source: SourceClient, found: n.Source, report: Progress) -> None:
    rows = source.get("/api-public/v1/policies").get("policies", [])
    for i, row in enumerate(rows):
        slug = row["policy"]["slug"]
        body = source.get("/api-public/v1/policies/{policy}", policy=slug)
        steps = []
        for step in body.get("steps", []):
            entries = []
            for entry in step.get("entries", []):
                kind = entry.get("executionType", "")
                pick = _TARGETS.get(kind)
                if pick is None:
                    found.left_out.append(
                        n.LeftOut("policy entry", slug, f"unknown executionType {kind!r}")
                    )
                    continue
                entries.append(n.Entry(kind, pick(entry)))
            steps.append(n.Step(timeout=int(step.get("timeout") or 0), entries=tuple(entries)))
        found.policies.append(
            n.Policy(
                id=slug,
                team=body.get("teamSlug") or row["team"]["slug"],
                name=body["name"],
                ignore_custom_paging_policies=bool(body.get("ignoreCustomPagingPolicies")),
                steps=tuple(steps),
            )
        )
        report("policies", i + 1, len(rows))


def _routing_keys(source: SourceClient, found: n.Source) -> None:
    for row in source.get("/api-public/v1/org/routing-keys").get("routingKeys", []):
        found.routing_keys.append(
            n.RoutingKey(
                key=row["routingKey"],
                policies=tuple(t["policySlug"] for t in row.get("targets", [])),
            )
        )


def _overrides(source: SourceClient, found: n.Source) -> None:
    for row in source.get("/api-public/v1/overrides").get("overrides", []):
        found.overrides.append(
            n.Override(
                id=row["publicId"],
                user=row["user"]["username"],
                timezone=row.get("timezone") or "UTC",
                start=row["start"],
                end=row["end"],
                assignments=tuple(
                    n.Assignment(
                        policy=a["policy"],
                        user=(a.get("user") or {}).get("username")
                        if isinstance(a.get("user"), dict)
                        else a.get("user"),
                    )
                    for a in row.get("assignments", [])
                ),
            )
        )
