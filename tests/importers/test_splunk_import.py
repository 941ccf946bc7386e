"""Moving an organization in from Splunk On-Call, tested against a live OpenOnCall serving the
same API: org Source is read over HTTP and imported into org Target, then every GET of the
vendor API answers the same for both, ids aside, and a second run changes nothing."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from openoncall.clock import FrozenClock
from openoncall.container import Container
from openoncall.importers import splunk
from openoncall.importers.apply import Action
from openoncall.importers.run import Outcome, import_splunk
from tests.api.conftest import LiveServer
from tests.conftest import Org
from tests.importers import source_org

ADMINS = {"boss"}  # the target's own bootstrap admin: not part of the move
# Keys that are ids, links or edit history (`version` counts edits), which differ between the
# two organizations by design.
IDS = {
    "id",
    "extId",
    "groupId",
    "shiftId",
    "publicId",
    "slug",
    "memberSlug",
    "createdAt",
    "version",
}
SLUG = re.compile(r"^(team|rtg|pol|ovr|whk)-[A-Za-z0-9]+$")


def _run(container: Container, live: LiveServer, source: Org, target: Org, **kw: Any) -> Outcome:
    client = splunk.client(live.base_url, source.boot.api_id, source.boot.api_key)
    try:
        return import_splunk(
            container,
            client,
            org=target.boot.org_slug,
            source_name=f"splunk-oncall:{live.base_url}",
            **{"dry_run": False, "check": False, **kw},
        )
    finally:
        client.close()


def _names(client: TestClient, org: Org) -> dict[str, str]:
    """Every slug of the organization -> a name that is the same in both organizations."""
    h = org.headers
    names: dict[str, str] = {}
    for team in client.get("/api-public/v1/team", headers=h).json():
        names[team["slug"]] = f"team {team['name']}"
        rotations = client.get(f"/api-public/v2/team/{team['slug']}/rotations", headers=h).json()
        for r in rotations["rotations"]:
            names[r["slug"]] = f"rotation {r['label']}"
    for p in client.get("/api-public/v1/policies", headers=h).json()["policies"]:
        names[p["policy"]["slug"]] = f"policy {p['policy']['name']}"
    for w in client.get("/api-public/v1/webhooks", headers=h).json()["webHooks"]:
        names[w["slug"]] = f"webhook {w['label']}"
    return names


def _password_state(key: str, value: Any) -> bool:
    """Passwords do not travel (imported users are invited to set one), so whether a user
    has set one is not compared; a contact method's verified (a string) still is."""
    return key == "passwordLastUpdated" or (key == "verified" and isinstance(value, bool))


def _plain(value: Any, names: dict[str, str]) -> Any:
    """The value with ids and links dropped and slugs replaced by names."""
    if isinstance(value, dict):
        return {
            k: _plain(v, names)
            for k, v in value.items()
            if k not in IDS and not k.startswith("_") and not _password_state(k, v)
        }
    if isinstance(value, list):
        items = [_plain(v, names) for v in value]
        return [i for i in items if not (isinstance(i, dict) and i.get("username") in ADMINS)]
    if isinstance(value, str):
        if value in names:
            return names[value]
        assert not SLUG.match(value), f"an unnamed slug {value}"
    return value


def _everything(client: TestClient, org: Org) -> dict[str, Any]:
    """Every GET of the vendor API that shows what was moved, keyed by a slug-free name."""
    h, names, found = org.headers, _names(client, org), {}

    def get(key: str, path: str) -> Any:
        r = client.get(path, headers=h, params={"daysForward": 14} if "schedule" in path else None)
        assert r.status_code == 200, f"{path}: {r.text}"
        found[key] = _plain(r.json(), names)
        return r.json()

    for group in get("users", "/api-public/v1/user")["users"]:
        for u in group:
            if u["username"] in ADMINS:
                continue
            name = u["username"]
            methods = get(f"{name} contacts", f"/api-public/v1/user/{name}/contact-methods")
            by_id = {
                c["id"]: c["value"] for kind in methods.values() for c in kind["contactMethods"]
            }
            profile = get(f"{name} paging", f"/api-public/v1/profile/{name}/policies")
            found[f"{name} paging"] = [
                (
                    s["timeout"],
                    [
                        (r["type"], by_id.get((r.get("contact") or {}).get("id")))
                        for r in s["rules"]
                    ],
                )
                for s in profile["steps"]
            ]
            get(f"{name} teams", f"/api-public/v1/user/{name}/teams")
            get(f"{name} schedule", f"/api-public/v2/user/{name}/oncall/schedule")
    for team in get("teams", "/api-public/v1/team"):
        slug, title = team["slug"], team["name"]
        get(f"{title} members", f"/api-public/v1/team/{slug}/members")
        get(f"{title} admins", f"/api-public/v1/team/{slug}/admins")
        get(f"{title} rotations", f"/api-public/v2/team/{slug}/rotations")
        get(f"{title} policies", f"/api-public/v1/team/{slug}/policies")
        for step in range(4):
            get(
                f"{title} schedule {step}",
                f"/api-public/v2/team/{slug}/oncall/schedule?step={step}",
            )
    for p in get("policies", "/api-public/v1/policies")["policies"]:
        get(f"policy {p['policy']['name']}", f"/api-public/v1/policies/{p['policy']['slug']}")
    get("routing keys", "/api-public/v1/org/routing-keys")
    get("overrides", "/api-public/v1/overrides")
    get("on call now", "/api-public/v1/oncall/current")
    get("webhooks", "/api-public/v1/webhooks")
    return found


def _diff(a: Any, b: Any, at: str = "") -> list[str]:
    """Where two JSON values differ, as paths (for a readable failure)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in a.keys() | b.keys() for d in _diff(a.get(k), b.get(k), f"{at}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{at}[{i}]")
        ]
    return [] if a == b else [f"{at}: {a!r} != {b!r}"]


def test_an_organization_moves_in_and_every_view_answers_the_same(
    client: TestClient, container: Container, clock: FrozenClock, live_server: LiveServer
) -> None:
    source, target = source_org.source_and_target(client, container, clock)

    plan = _run(container, live_server, source, target, dry_run=True)
    assert plan.report.count("skip") == 0, plan.report.actions
    # 7 users (the source's admin moves too) … 3 routing keys (the default one exists) …
    assert plan.report.count("create") == 7 + 2 + 4 + 1 + 2 + 3 + 1
    assert _everything(client, target)["users"] == {"users": [[]]}, "a dry run changes nothing"

    done = _run(container, live_server, source, target, check=True)
    assert [a for a in done.report.actions if a.op != "create"] == [
        Action("routing key", "default", "unchanged", "already here")
    ]
    assert done.verification is not None
    assert done.verification.mismatches == []
    assert done.verification.policies == 2
    assert set(done.report.webhook_secrets) != set(), "the new signing secret is reported once"

    theirs, ours = _everything(client, source), _everything(client, target)
    assert theirs.keys() == ours.keys()
    for key in theirs:
        assert ours[key] == theirs[key], (key, _diff(theirs[key], ours[key]))

    again = _run(container, live_server, source, target, check=True)
    assert {a.op for a in again.report.actions} == {"unchanged"}
    assert again.verification is not None
    assert again.verification.mismatches == []
    assert _everything(client, target) == ours
