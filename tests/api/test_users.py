"""The users API: /api-public/v1/user…, /api-public/v2/user, batch, delete with replacement."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.contacts.models import ContactMethod
from openoncall.container import Container
from openoncall.policies.models import EscalationEntry
from openoncall.rotations.models import RotationMember
from openoncall.teams.models import TeamMember
from openoncall.users.models import Role, User
from tests.builders import add_member, make_rotation, make_team, make_user, make_user_policy
from tests.conftest import Org, make_org

V1 = "/api-public/v1/user"


def user_json(
    username: str,
    first: str = "Jane",
    last: str = "Doe",
    email: str | None = None,
    *,
    verified: bool = False,
    password_at: str | None = None,
) -> dict[str, Any]:
    return {
        "firstName": first,
        "lastName": last,
        "displayName": f"{first} {last}".strip() or username,
        "username": username,
        "email": email or f"{username}@example.com",
        "createdAt": "2026-01-05T12:00:00Z",
        "passwordLastUpdated": password_at,
        "verified": verified,
        "_selfUrl": f"/api-public/v1/user/{username}",
    }


ADMIN = user_json(
    "admin",
    "admin",
    "",
    "admin@acme.example",
    verified=True,
    password_at="2026-01-05T12:00:00Z",
)


def payload(username: str, first: str = "Jane", last: str = "Doe") -> dict[str, str]:
    return {
        "firstName": first,
        "lastName": last,
        "username": username,
        "email": f"{username}@example.com",
    }


def test_v1_list_nests_users_in_a_second_array(api: TestClient) -> None:
    r = api.get(V1)
    assert r.status_code == 200
    assert r.json() == {"users": [[ADMIN]], "_selfUrl": V1}


def test_add_user_answers_the_user_and_lists_it(api: TestClient) -> None:
    r = api.post(V1, json={**payload("jdoe"), "admin": True, "expirationHours": 12})
    assert r.status_code == 200
    assert r.json() == user_json("jdoe")
    assert api.get(f"{V1}/jdoe").json() == user_json("jdoe")
    assert api.get(V1).json() == {"users": [[ADMIN, user_json("jdoe")]], "_selfUrl": V1}


def test_new_user_is_not_an_admin_even_when_asked(api: TestClient, container: Container) -> None:
    api.post(V1, json={**payload("jdoe"), "admin": True})
    with container.sessions.transaction(write=False) as session:
        user = session.scalars(select(User).where(User.username == "jdoe")).one()
        assert user.role == Role.USER


def test_new_user_gets_the_default_email_contact(api: TestClient, container: Container) -> None:
    api.post(V1, json=payload("jdoe"))
    with container.sessions.transaction(write=False) as session:
        contacts = session.scalars(
            select(ContactMethod)
            .join(User, User.id == ContactMethod.user_id)
            .where(User.username == "jdoe")
        ).all()
        assert [(c.kind, c.label, c.value) for c in contacts] == [
            ("email", "Default", "jdoe@example.com")
        ]


def test_username_is_lower_cased(api: TestClient) -> None:
    r = api.post(V1, json={**payload("x"), "username": "JDoe"})
    assert r.status_code == 200
    assert r.json()["username"] == "jdoe"
    assert api.get(f"{V1}/JDOE").status_code == 200


def test_v2_list_is_flat_and_filters_by_email(api: TestClient) -> None:
    api.post(V1, json=payload("jdoe"))
    assert api.get("/api-public/v2/user").json() == {"users": [ADMIN, user_json("jdoe")]}
    r = api.get("/api-public/v2/user", params={"email": "jdoe@example.com"})
    assert r.status_code == 200
    assert r.json() == {"users": [user_json("jdoe")]}
    assert api.get("/api-public/v2/user", params={"email": "no@example.com"}).json() == {
        "users": []
    }


def test_add_user_when_username_taken_is_422(api: TestClient) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.post(V1, json=payload("jdoe"))
    assert r.status_code == 422
    assert r.json() == {
        "error": "Username jdoe is unavailable",
        "message": "Username jdoe is unavailable",
        "field": "username",
    }


def test_add_user_when_field_missing_is_400_naming_it(api: TestClient) -> None:
    body = payload("jdoe")
    del body["email"]
    r = api.post(V1, json=body)
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: email",
        "message": "Missing field: email",
        "field": "email",
    }
    assert api.get(V1).json() == {"users": [[ADMIN]], "_selfUrl": V1}


def test_add_user_when_email_invalid_is_400(api: TestClient) -> None:
    r = api.post(V1, json={**payload("jdoe"), "email": "not-an-email"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid email address: not-an-email",
        "message": "Invalid email address: not-an-email",
        "field": "email",
    }


def test_add_user_when_username_invalid_is_400(api: TestClient) -> None:
    r = api.post(V1, json={**payload("x"), "username": "a/b"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid username: a/b (letters, digits and . _ @ + - only, up to 64)",
        "message": "Invalid username: a/b (letters, digits and . _ @ + - only, up to 64)",
        "field": "username",
    }
    r = api.post(V1, json={**payload("x"), "username": "  "})
    assert r.status_code == 400
    assert r.json() == {
        "error": "username must not be empty",
        "message": "username must not be empty",
        "field": "username",
    }


def test_add_user_when_body_not_json_is_400(api: TestClient) -> None:
    r = api.post(V1, content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Request body is not valid JSON",
        "message": "Request body is not valid JSON",
        "field": "body",
    }


def test_unknown_user_is_404(api: TestClient) -> None:
    expected = {"error": "User not found", "message": "User not found", "field": "user"}
    for method in ("GET", "PUT", "DELETE"):
        json = payload("ghost") if method == "PUT" else {"replacement": "admin"}
        r = api.request(method, f"{V1}/ghost", json=json)
        assert r.status_code == 404, method
        assert r.json() == expected
    r = api.get(f"{V1}/ghost/teams")
    assert r.status_code == 404
    assert r.json() == expected


def test_user_with_at_sign_is_addressed_unencoded(api: TestClient) -> None:
    r = api.post(V1, json={**payload("x"), "username": "jane@corp"})
    assert r.status_code == 200
    assert api.get(f"{V1}/jane@corp").json()["username"] == "jane@corp"


def test_users_of_another_org_are_invisible(
    api: TestClient, container: Container, client: TestClient
) -> None:
    other = make_org(container, name="Globex", admin="boss")
    assert api.get(f"{V1}/boss").status_code == 404
    r = client.get(V1, headers=other.headers)
    assert [u["username"] for u in r.json()["users"][0]] == ["boss"]


def test_update_user_changes_names_email_and_default_contact(
    api: TestClient, container: Container
) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.put(
        f"{V1}/jdoe",
        json={"firstName": "Janet", "lastName": "Roe", "username": "jroe", "email": "j@x.org"},
    )
    assert r.status_code == 200
    assert r.json() == user_json("jroe", "Janet", "Roe", "j@x.org")
    assert api.get(f"{V1}/jdoe").status_code == 404
    with container.sessions.transaction(write=False) as session:
        values = session.scalars(
            select(ContactMethod.value)
            .join(User, User.id == ContactMethod.user_id)
            .where(User.username == "jroe")
        ).all()
        assert list(values) == ["j@x.org"]


def test_update_user_with_a_partial_body_keeps_the_rest(api: TestClient) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.put(f"{V1}/jdoe", json={"firstName": "Janet"})
    assert r.status_code == 200
    assert r.json() == user_json("jdoe", "Janet")
    r = api.put(f"{V1}/jdoe", json={"lastName": "Roe", "email": "jr@x.org", "admin": False})
    assert r.json() == user_json("jdoe", "Janet", "Roe", "jr@x.org")
    assert api.put(f"{V1}/jdoe", json={}).json() == user_json("jdoe", "Janet", "Roe", "jr@x.org")
    assert api.get(f"{V1}/jdoe").json() == user_json("jdoe", "Janet", "Roe", "jr@x.org")
    r = api.put(f"{V1}/jdoe", json={"firstName": "\u0007"})
    assert (r.status_code, r.json()["field"]) == (400, "firstName")
    r = api.put(f"{V1}/ghost", json={"firstName": "G"})
    assert r.status_code == 404


def test_update_user_to_a_taken_username_is_422(api: TestClient) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.put(f"{V1}/jdoe", json=payload("admin"))
    assert r.status_code == 422
    assert r.json() == {
        "error": "Username admin is unavailable",
        "message": "Username admin is unavailable",
        "field": "username",
    }
    assert api.get(f"{V1}/jdoe").json() == user_json("jdoe")


def test_update_user_with_bad_email_is_400_and_changes_nothing(api: TestClient) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.put(f"{V1}/jdoe", json={**payload("jdoe"), "firstName": "Z", "email": "bad"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid email address: bad",
        "message": "Invalid email address: bad",
        "field": "email",
    }
    assert api.get(f"{V1}/jdoe").json() == user_json("jdoe")


def test_batch_reports_errors_per_entry_and_keeps_the_good_ones(api: TestClient) -> None:
    r = api.post(
        f"{V1}/batch",
        json=[
            payload("ann"),
            payload("admin"),
            {**payload("bob"), "email": "nope"},
            {"username": "cat", "firstName": "Cat"},
            payload("dan"),
        ],
    )
    assert r.status_code == 200
    assert r.json()["users"] == [
        {"username": "ann", "_selfUrl": f"{V1}/ann", "errors": []},
        {
            "username": "admin",
            "_selfUrl": f"{V1}/admin",
            "errors": [{"code": "already-exists", "message": "Username admin is unavailable"}],
        },
        {
            "username": "bob",
            "_selfUrl": f"{V1}/bob",
            "errors": [{"code": "invalid-input", "message": "Invalid email address: nope"}],
        },
        {
            "username": "cat",
            "_selfUrl": f"{V1}/cat",
            "errors": [
                {"code": "invalid-input", "message": "Missing field: lastName"},
                {"code": "invalid-input", "message": "Missing field: email"},
            ],
        },
        {"username": "dan", "_selfUrl": f"{V1}/dan", "errors": []},
    ]
    names = [u["username"] for u in api.get("/api-public/v2/user").json()["users"]]
    assert names == ["admin", "ann", "dan"]


def test_batch_with_duplicate_entries_creates_the_first(api: TestClient) -> None:
    r = api.post(f"{V1}/batch", json=[payload("ann"), payload("ann")])
    assert r.json()["users"] == [
        {"username": "ann", "_selfUrl": f"{V1}/ann", "errors": []},
        {
            "username": "ann",
            "_selfUrl": f"{V1}/ann",
            "errors": [{"code": "already-exists", "message": "Username ann is unavailable"}],
        },
    ]


def test_batch_of_more_than_50_is_400_and_creates_nobody(api: TestClient) -> None:
    r = api.post(f"{V1}/batch", json=[payload(f"u{i}") for i in range(51)])
    assert r.status_code == 400
    assert r.json()["field"] == "body"
    assert r.json()["error"].startswith("Invalid value for field 'body'")
    assert api.get(V1).json() == {"users": [[ADMIN]], "_selfUrl": V1}


def test_batch_that_is_not_a_list_is_400(api: TestClient) -> None:
    r = api.post(f"{V1}/batch", json=payload("ann"))
    assert r.status_code == 400
    assert r.json()["field"] == "body"
    r = api.post(f"{V1}/batch", json={"users": payload("ann")})
    assert (r.status_code, r.json()["field"]) == (400, "body")
    assert api.get(V1).json() == {"users": [[ADMIN]], "_selfUrl": V1}


def test_batch_accepts_the_array_wrapped_in_users_and_answers_the_live_shape(
    api: TestClient,
) -> None:
    # The npm victorops-api-client sends {"users": [...]}; the reply it was recorded against
    # is {"users": [{username, _selfUrl, errors}]}.
    r = api.post(f"{V1}/batch", json={"users": [payload("ann"), {"username": "bob"}]})
    assert r.status_code == 200
    assert r.json() == {
        "users": [
            {"username": "ann", "_selfUrl": f"{V1}/ann", "errors": []},
            {
                "username": "bob",
                "_selfUrl": f"{V1}/bob",
                "errors": [
                    {"code": "invalid-input", "message": "Missing field: firstName"},
                    {"code": "invalid-input", "message": "Missing field: lastName"},
                    {"code": "invalid-input", "message": "Missing field: email"},
                ],
            },
        ]
    }
    assert api.get(f"{V1}/ann").json() == user_json("ann")
    r = api.post(f"{V1}/batch", json={"users": [payload(f"u{i}") for i in range(51)]})
    assert (r.status_code, r.json()["field"]) == (400, "body")
    assert api.get(f"{V1}/u0").status_code == 404


def test_user_teams_lists_memberships(api: TestClient, org: Org, container: Container) -> None:
    with container.sessions.transaction() as session:
        user = make_user(session, org.org_id, "jdoe")
        ops = make_team(session, org.org_id, "Ops")
        make_team(session, org.org_id, "Dev")
        add_member(session, ops, user)
        slug = ops.slug
    r = api.get(f"{V1}/jdoe/teams")
    assert r.status_code == 200
    base = f"/api-public/v1/team/{slug}"
    assert r.json() == {
        "teams": [
            {
                "name": "Ops",
                "slug": slug,
                "description": "",
                "_selfUrl": base,
                "_membersUrl": f"{base}/members",
                "_policiesUrl": f"{base}/policies",
                "_adminsUrl": f"{base}/admins",
            }
        ]
    }
    assert api.get(f"{V1}/admin/teams").json() == {"teams": []}


# --- delete with replacement -------------------------------------------------------------


def _duties(container: Container, org: Org) -> tuple[int, int, int]:
    """jdoe: in a rotation and a policy of Ops, and admin of Ops; returns their ids."""
    with container.sessions.transaction() as session:
        jdoe = make_user(session, org.org_id, "jdoe")
        make_user(session, org.org_id, "rick")
        ops = make_team(session, org.org_id, "Ops")
        add_member(session, ops, jdoe, is_admin=True)
        shift = make_rotation(session, ops, [jdoe])
        policy = make_user_policy(session, ops, [jdoe])
        return ops.id, shift.id, policy.id


def _holders(container: Container, team_id: int) -> tuple[list[str], list[str], list[str]]:
    """Usernames in rotation slots, in user policy entries, and admins of the team."""
    with container.sessions.transaction(write=False) as session:
        slots = session.scalars(
            select(User.username).join(RotationMember, RotationMember.user_id == User.id)
        ).all()
        entries = session.scalars(
            select(User.username).join(EscalationEntry, EscalationEntry.user_id == User.id)
        ).all()
        admins = session.scalars(
            select(User.username)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == team_id, TeamMember.is_admin.is_(True))
        ).all()
    return list(slots), list(entries), list(admins)


def test_delete_user_hands_duties_to_the_specified_user(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacement": "rick"})
    assert r.status_code == 200
    assert r.json() == {}
    assert api.get(f"{V1}/jdoe").status_code == 404
    assert _holders(container, team_id) == (["rick"], ["rick"], ["rick"])


def test_delete_user_takes_the_replacement_from_the_query_string(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    r = api.delete(f"{V1}/jdoe", params={"replacement": "rick"})
    assert (r.status_code, r.json()) == (200, {})
    assert api.get(f"{V1}/jdoe").status_code == 404
    assert _holders(container, team_id) == (["rick"], ["rick"], ["rick"])


def test_delete_user_body_replacement_wins_over_the_query_string(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    r = api.request(
        "DELETE", f"{V1}/jdoe", params={"replacement": "ghost"}, json={"replacement": "rick"}
    )
    assert r.status_code == 200
    assert _holders(container, team_id) == (["rick"], ["rick"], ["rick"])


def test_delete_user_strategy_from_the_query_string(api: TestClient, org: Org) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.delete(f"{V1}/jdoe", params={"replacementStrategy": "globalAdmin"})
    assert (r.status_code, r.json()) == (200, {})
    r = api.delete(f"{V1}/admin", params={"replacementStrategy": "anyone"})
    assert (r.status_code, r.json()["field"]) == (400, "replacementStrategy")


def test_delete_user_with_global_admin_strategy(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacementStrategy": "globalAdmin"})
    assert r.status_code == 200
    assert r.json() == {}
    assert _holders(container, team_id) == (["admin"], ["admin"], ["admin"])


def test_delete_user_with_team_admin_strategy(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    with container.sessions.transaction() as session:
        from openoncall.teams.models import Team

        ops = session.get(Team, team_id)
        assert ops is not None
        rick = session.scalars(select(User).where(User.username == "rick")).one()
        add_member(session, ops, rick, is_admin=True)
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacementStrategy": "teamAdmin"})
    assert r.status_code == 200
    assert _holders(container, team_id) == (["rick"], ["rick"], ["rick"])


def test_delete_user_with_team_admin_strategy_when_no_other_admin_is_422(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacementStrategy": "teamAdmin"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "Team Ops has no admin other than jdoe",
        "message": "Team Ops has no admin other than jdoe",
        "field": "replacementStrategy",
    }
    assert _holders(container, team_id) == (["jdoe"], ["jdoe"], ["jdoe"])


def test_delete_user_without_replacement_is_422(
    api: TestClient, org: Org, container: Container
) -> None:
    team_id, _, _ = _duties(container, org)
    expected = {
        "error": "A replacement is required to delete a user",
        "message": "A replacement is required to delete a user",
        "field": "replacement",
    }
    bodies: list[dict[str, str] | None] = [None, {}, {"replacementStrategy": "specifiedUser"}]
    for body in bodies:
        r = api.request("DELETE", f"{V1}/jdoe", json=body)
        assert r.status_code == 422
        assert r.json() == expected
    assert _holders(container, team_id) == (["jdoe"], ["jdoe"], ["jdoe"])


def test_delete_user_with_unknown_replacement_is_422(
    api: TestClient, org: Org, container: Container
) -> None:
    _duties(container, org)
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacement": "ghost"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "Replacement user ghost not found",
        "message": "Replacement user ghost not found",
        "field": "replacement",
    }
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacement": "jdoe"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "A user cannot replace themselves",
        "message": "A user cannot replace themselves",
        "field": "replacement",
    }
    assert api.get(f"{V1}/jdoe").status_code == 200


def test_delete_user_with_unknown_strategy_is_400(api: TestClient, org: Org) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacementStrategy": "anyone"})
    assert r.status_code == 400
    assert r.json()["field"] == "replacementStrategy"


def test_delete_the_last_admin_is_422(api: TestClient, org: Org) -> None:
    api.post(V1, json=payload("jdoe"))
    r = api.request("DELETE", f"{V1}/admin", json={"replacement": "jdoe"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "admin is the last admin of the organization",
        "message": "admin is the last admin of the organization",
        "field": "user",
    }


def test_delete_replacement_already_in_the_shift_keeps_one_slot(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        jdoe = make_user(session, org.org_id, "jdoe")
        rick = make_user(session, org.org_id, "rick")
        ops = make_team(session, org.org_id, "Ops")
        make_rotation(session, ops, [jdoe, rick])
        team_id = ops.id
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacement": "rick"})
    assert r.status_code == 200
    assert _holders(container, team_id) == (["rick"], [], [])


def test_delete_user_with_global_admin_when_none_other_is_422(
    api: TestClient, org: Org, container: Container
) -> None:
    with container.sessions.transaction() as session:
        user = session.scalars(select(User).where(User.username == "admin")).one()
        user.role = Role.USER
        make_user(session, org.org_id, "jdoe")
    r = api.request("DELETE", f"{V1}/jdoe", json={"replacementStrategy": "globalAdmin"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "No other global admin can replace this user",
        "message": "No other global admin can replace this user",
        "field": "replacementStrategy",
    }


def test_get_with_a_json_body_and_charset_content_type_is_accepted(api: TestClient) -> None:
    r = api.request("GET", V1, json={})
    assert r.status_code == 200
    assert r.json() == {"users": [[ADMIN]], "_selfUrl": V1}
    r = api.post(
        V1,
        content=b'{"firstName": "Jane", "lastName": "Doe", "username": "jdoe", '
        b'"email": "jdoe@example.com"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200
    assert r.json() == user_json("jdoe")


def test_nul_and_control_characters_are_400_or_404_never_500(api: TestClient) -> None:
    r = api.post(V1, json={**payload("jdoe"), "firstName": "Ja\x00ne"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "firstName must not contain control characters",
        "message": "firstName must not contain control characters",
        "field": "firstName",
    }
    r = api.post(V1, json={**payload("jdoe"), "email": "j\x00@example.com"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid email address: j\x00@example.com",
        "message": "Invalid email address: j\x00@example.com",
        "field": "email",
    }
    r = api.get(f"{V1}/ad%00min")
    assert r.status_code == 404
    assert r.json() == {"error": "User not found", "message": "User not found", "field": "user"}
    r = api.get("/api-public/v2/user", params={"email": "a\x00@b.example"})
    assert r.status_code == 200
    assert r.json() == {"users": []}


def test_concurrent_creates_of_one_username_make_one_user(
    org: Org, container: Container, backend: str
) -> None:
    """The second writer loses with AlreadyExists (422), whichever check catches it."""
    import threading

    from openoncall.errors import AlreadyExists
    from openoncall.users.service import create_user

    first_flushed = threading.Event()
    outcomes: list[str] = []

    def create(wait_for: threading.Event | None) -> None:
        try:
            with container.sessions.transaction() as session:
                create_user(
                    session,
                    org.org_id,
                    username="race",
                    first_name="R",
                    last_name="C",
                    email="race@example.com",
                    now=container.clock.now(),
                )
                if wait_for is None:
                    first_flushed.set()
                    # Hold the uncommitted row while the other writer tries the same name.
                    threading.Event().wait(0.3)
            outcomes.append("created")
        except AlreadyExists:
            outcomes.append("unavailable")

    first = threading.Thread(target=create, args=(None,))
    first.start()
    first_flushed.wait(5)
    second = threading.Thread(target=create, args=(first_flushed,))
    second.start()
    first.join(10)
    second.join(10)
    assert sorted(outcomes) == ["created", "unavailable"], backend
    with container.sessions.transaction(write=False) as session:
        assert session.scalars(select(User.username).where(User.username == "race")).all() == [
            "race"
        ]


def test_delete_user_with_nothing_to_hand_over_needs_no_replacement(
    api: TestClient, org: Org, container: Container
) -> None:
    # The npm client's deleteUser sends {} unless a replacement is passed.
    with container.sessions.transaction() as session:
        ops = make_team(session, org.org_id, "Ops")
        add_member(session, ops, make_user(session, org.org_id, "temp"))
        make_user(session, org.org_id, "gone")
    for username, body in (("temp", {}), ("gone", None)):
        r = api.request("DELETE", f"{V1}/{username}", json=body)
        assert (r.status_code, r.json()) == (200, {})
        assert api.get(f"{V1}/{username}").status_code == 404
    api.post(V1, json=payload("kept"))
    r = api.request("DELETE", f"{V1}/kept", json={"replacement": "ghost"})
    assert (r.status_code, r.json()["field"]) == (422, "replacement")
