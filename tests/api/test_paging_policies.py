"""Personal paging policies: /api-public/v1|v2/profile/{username}/policies…,
/api-public/v1/user/{user}/policies, and the engine's view `load_paging_steps`."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.paging_policies.service import PagingRuleView, PagingStepView, load_paging_steps
from openoncall.paging_policies.types import NotificationType
from openoncall.users.models import User
from tests.builders import make_user
from tests.conftest import Org

P = "/api-public/v1/profile/jdoe/policies"
CONTACTS = "/api-public/v1/user/jdoe/contact-methods"


def rule(index: int, kind: str, contact: dict[str, Any] | None, ctype: str = "") -> dict[str, Any]:
    ref = None if contact is None else {"id": contact["id"], "type": ctype or kind}
    return {"index": index, "type": kind, "contact": ref}


def step(index: int, timeout: int, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"index": index, "timeout": timeout, "rules": list(rules)}


def _jdoe(container: Container, org: Org) -> None:
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe")


def _email(api: TestClient) -> dict[str, Any]:
    return dict(api.get(f"{CONTACTS}/emails").json()["contactMethods"][0])


def _phone(api: TestClient, number: str = "+15550100000") -> dict[str, Any]:
    r = api.post(f"{CONTACTS}/phones", json={"label": "Mobile", "phone": number})
    assert r.status_code == 200
    return dict(r.json())


def _device(api: TestClient, topic: str = "jdoe-pixel") -> dict[str, Any]:
    r = api.post("/api-ext/v1/user/jdoe/devices", json={"label": "Pixel", "topic": topic})
    assert r.status_code == 200
    return dict(r.json())


def test_default_policy_emails_the_account_address(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email = _email(api)
    r = api.get(P)
    assert r.status_code == 200
    assert r.json() == {"_selfUrl": P, "steps": [step(0, 5, rule(0, "email", email))]}


def test_default_policy_pushes_then_texts_when_device_and_phone_exist(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    _device(api)
    _phone(api, "+15550100001")  # only the first phone is texted
    assert api.get(P).json() == {
        "_selfUrl": P,
        "steps": [
            step(0, 5, rule(0, "email", email), rule(1, "push", None)),
            step(1, 5, rule(0, "sms", phone, "phone")),
        ],
    }


def test_load_paging_steps_expands_push_to_every_device(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    pixel, ipad = _device(api), _device(api, "jdoe-ipad")
    with container.sessions.transaction(write=False) as session:
        user_id = session.scalars(select(User.id).where(User.username == "jdoe")).one()
        steps = load_paging_steps(session, org.org_id, user_id)
    assert steps == [
        PagingStepView(
            0,
            5,
            (
                PagingRuleView(NotificationType.EMAIL, email["id"], "jdoe@example.com"),
                PagingRuleView(NotificationType.PUSH, pixel["id"], "jdoe-pixel"),
                PagingRuleView(NotificationType.PUSH, ipad["id"], "jdoe-ipad"),
            ),
        ),
        PagingStepView(1, 5, (PagingRuleView(NotificationType.SMS, phone["id"], "+15550100000"),)),
    ]


def test_add_step_keeps_the_default_steps_before_it(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    r = api.post(
        P,
        json={
            "timeout": 10,
            "rules": [{"type": "phone", "contact": {"id": phone["id"], "type": "phone"}}],
        },
    )
    assert r.status_code == 200
    added = step(2, 10, rule(0, "phone", phone))
    assert r.json() == {"_selfUrl": f"{P}/2", "step": added}
    assert api.get(P).json()["steps"] == [
        step(0, 5, rule(0, "email", email)),
        step(1, 5, rule(0, "sms", phone, "phone")),
        added,
    ]
    assert api.get(f"{P}/2").json() == {"_selfUrl": f"{P}/2", "step": added}
    with container.sessions.transaction(write=False) as session:
        user_id = session.scalars(select(User.id).where(User.username == "jdoe")).one()
        assert [s.timeout_minutes for s in load_paging_steps(session, org.org_id, user_id)] == [
            5,
            5,
            10,
        ]


def test_update_step_replaces_timeout_and_rules(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    body = {
        "timeout": 1,
        "rules": [
            {"type": "push"},
            {"type": "sms", "contact": {"id": phone["id"]}},
            {"type": "email", "contact": {"id": email["id"], "type": "email"}},
        ],
    }
    r = api.put(f"{P}/0", json=body)
    assert r.status_code == 200
    updated = step(
        0, 1, rule(0, "push", None), rule(1, "sms", phone, "phone"), rule(2, "email", email)
    )
    assert r.json() == {"_selfUrl": f"{P}/0", "step": updated}
    assert api.get(P).json()["steps"] == [updated, step(1, 5, rule(0, "sms", phone, "phone"))]


def test_rules_add_get_update_delete(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    r = api.post(f"{P}/0", json={"type": "phone", "contact": {"id": phone["id"], "type": "phone"}})
    assert r.status_code == 200
    assert r.json() == {"_selfUrl": f"{P}/0/1", "stepRule": rule(1, "phone", phone)}
    assert api.get(f"{P}/0/1").json() == {
        "_selfUrl": f"{P}/0/1",
        "stepRule": rule(1, "phone", phone),
    }
    r = api.put(f"{P}/0/0", json={"type": "push"})
    assert r.status_code == 200
    assert r.json() == {"_selfUrl": f"{P}/0/0", "stepRule": rule(0, "push", None)}
    r = api.delete(f"{P}/0/0")
    assert r.status_code == 200
    assert r.json() == {"_selfUrl": f"{P}/0/0", "stepRule": rule(0, "push", None)}
    # The later rule moved up.
    assert api.get(f"{P}/0").json() == {
        "_selfUrl": f"{P}/0",
        "step": step(0, 5, rule(0, "phone", phone)),
    }
    assert email["id"] not in [
        r["contact"]["id"] for r in api.get(f"{P}/0").json()["step"]["rules"]
    ]


def test_deleting_a_contact_removes_its_rules(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    api.post(f"{P}/0", json={"type": "sms", "contact": {"id": phone["id"]}})
    assert api.delete(f"{CONTACTS}/phones/{phone['extId']}").status_code == 200
    assert api.get(P).json()["steps"] == [step(0, 5, rule(0, "email", email)), step(1, 5)]


def test_unknown_step_or_rule_is_404(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    step_missing = {
        "error": "Paging policy step not found",
        "message": "Paging policy step not found",
        "field": "step",
    }
    rule_missing = {
        "error": "Paging policy rule not found",
        "message": "Paging policy rule not found",
        "field": "rule",
    }
    calls: list[tuple[str, str, Any, dict[str, str]]] = [
        ("GET", "/1", None, step_missing),
        ("GET", "/-1", None, step_missing),
        ("PUT", "/3", {"timeout": 5, "rules": []}, step_missing),
        ("POST", "/3", {"type": "push"}, step_missing),
        ("GET", "/0/5", None, rule_missing),
        ("PUT", "/0/5", {"type": "push"}, rule_missing),
        ("DELETE", "/0/5", None, rule_missing),
        ("DELETE", "/4/0", None, step_missing),
    ]
    for method, suffix, body, expected in calls:
        r = api.request(method, f"{P}{suffix}", json=body)
        assert r.status_code == 404, (method, suffix)
        assert r.json() == expected
    # Nothing was stored by the failed writes: the user still follows the default.
    assert len(api.get(P).json()["steps"]) == 1


def test_bad_rules_and_timeouts_are_400_naming_the_field(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    cases: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
        (
            "POST",
            "",
            {"timeout": 7, "rules": []},
            {
                "error": "timeout must be one of 1, 5, 10, 15, 20, 25, 30, 45, 60 (minutes)",
                "message": "timeout must be one of 1, 5, 10, 15, 20, 25, 30, 45, 60 (minutes)",
                "field": "timeout",
            },
        ),
        (
            "POST",
            "",
            {"timeout": 5, "rules": [{"type": "pigeon"}]},
            {
                "error": "Unknown notification type 'pigeon' (one of push, email, sms, phone)",
                "message": "Unknown notification type 'pigeon' (one of push, email, sms, phone)",
                "field": "rules.0.type",
            },
        ),
        (
            "POST",
            "",
            {"timeout": 5, "rules": [{"type": "push"}, {"type": "email"}]},
            {
                "error": "A email rule needs a contact id",
                "message": "A email rule needs a contact id",
                "field": "rules.1.contact.id",
            },
        ),
        (
            "PUT",
            "/0",
            {"timeout": 5, "rules": [{"type": "sms", "contact": {"id": email["id"]}}]},
            {
                "error": f"jdoe has no phone contact with id {email['id']}",
                "message": f"jdoe has no phone contact with id {email['id']}",
                "field": "rules.0.contact.id",
            },
        ),
        (
            "POST",
            "/0",
            {"type": "email", "contact": {"id": phone["id"], "type": "phone"}},
            {
                "error": "A email rule needs a email contact, not phone",
                "message": "A email rule needs a email contact, not phone",
                "field": "contact.type",
            },
        ),
        (
            "PUT",
            "/0/0",
            {"type": "email", "contact": {"id": 999999}},
            {
                "error": "jdoe has no email contact with id 999999",
                "message": "jdoe has no email contact with id 999999",
                "field": "contact.id",
            },
        ),
        (
            "POST",
            "",
            {"rules": []},
            {
                "error": "Missing field: timeout",
                "message": "Missing field: timeout",
                "field": "timeout",
            },
        ),
        (
            "POST",
            "/0",
            {},
            {"error": "Missing field: type", "message": "Missing field: type", "field": "type"},
        ),
    ]
    for method, suffix, body, expected in cases:
        r = api.request(method, f"{P}{suffix}", json=body)
        assert r.status_code == 400, (method, suffix, body)
        assert r.json() == expected
    r = api.get(f"{P}/first")
    assert r.status_code == 400
    assert r.json()["field"] == "step"
    assert api.get(P).json()["steps"] == [
        step(0, 5, rule(0, "email", email)),
        step(1, 5, rule(0, "sms", phone, "phone")),
    ]


def test_contacts_of_another_user_cannot_be_used(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    theirs = api.get("/api-public/v1/user/admin/contact-methods/emails").json()["contactMethods"][0]
    r = api.post(f"{P}/0", json={"type": "email", "contact": {"id": theirs["id"]}})
    assert r.status_code == 400
    assert r.json() == {
        "error": f"jdoe has no email contact with id {theirs['id']}",
        "message": f"jdoe has no email contact with id {theirs['id']}",
        "field": "contact.id",
    }


def test_v2_lists_the_primary_policy(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    email = _email(api)
    r = api.get("/api-public/v2/profile/jdoe/policies")
    assert r.status_code == 200
    assert r.json() == {
        "_selfUrl": "/api-public/v2/profile/jdoe/policies",
        "policies": [
            {"name": "Primary", "_selfUrl": P, "steps": [step(0, 5, rule(0, "email", email))]}
        ],
    }


def test_user_policies_summary_has_one_line_per_rule(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    email, phone = _email(api), _phone(api)
    _device(api)
    with container.sessions.transaction(write=False) as session:
        user_id = session.scalars(select(User.id).where(User.username == "jdoe")).one()
    r = api.get("/api-public/v1/user/jdoe/policies")
    assert r.status_code == 200
    assert r.json() == {
        "username": "jdoe",
        "userId": user_id,
        "policies": [
            {"order": 0, "timeout": 5, "contactType": "email", "extId": email["extId"]},
            {"order": 0, "timeout": 5, "contactType": "push", "extId": None},
            {"order": 1, "timeout": 5, "contactType": "sms", "extId": phone["extId"]},
        ],
    }


def test_unknown_user_is_404(api: TestClient) -> None:
    for url in (
        "/api-public/v1/profile/ghost/policies",
        "/api-public/v1/profile/ghost/policies/0",
        "/api-public/v1/profile/ghost/policies/0/0",
        "/api-public/v2/profile/ghost/policies",
    ):
        r = api.get(url)
        assert r.status_code == 404, url
        assert r.json() == {
            "error": "User not found",
            "message": "User not found",
            "field": "username",
        }
    r = api.post("/api-public/v1/profile/ghost/policies", json={"timeout": 5, "rules": []})
    assert r.status_code == 404
    r = api.get("/api-public/v1/user/ghost/policies")
    assert r.status_code == 404
    assert r.json() == {"error": "User not found", "message": "User not found", "field": "user"}


def test_a_contact_id_beyond_any_row_is_400(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    r = api.post(f"{P}/0", json={"type": "email", "contact": {"id": 10**20}})
    assert r.status_code == 400
    assert r.json()["field"] == "contact.id"


def test_the_policy_value_lists_answer_the_vendors_fixed_descriptions(api: TestClient) -> None:
    # Word for word as the Swagger lists them; they were shortened ("Send an email to",
    # "Email address") until schemathesis checked answers against the vendor's enums.
    notifications = api.get("/api-public/v1/policies/types/notifications").json()
    assert {n["type"]: n["description"] for n in notifications["notificationTypes"]} == {
        "push": "Send a push notification to all my devices",
        "email": "Send an email to an email address",
        "sms": "Send an SMS to a phone number",
        "phone": "Make a phone call to a phone number",
    }
    contacts = api.get("/api-public/v1/policies/types/contacts").json()
    assert {c["type"]: c["description"] for c in contacts["contactTypes"]} == {
        "email": "Email Address",
        "phone": "Phone Number",
    }
    timeouts = api.get("/api-public/v1/policies/types/timeouts").json()["timeoutTypes"]
    assert timeouts[:2] == [
        {"type": 1, "description": "If still unacked after 1 minute"},
        {"type": 5, "description": "If still unacked after 5 minutes"},
    ]
