"""Contact methods: /api-public/v1/user/{user}/contact-methods… and the device extension."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from openoncall.container import Container
from tests.builders import make_user
from tests.conftest import Org, make_org

BASE = "/api-public/v1/user/jdoe/contact-methods"


def default_email(api: TestClient) -> dict[str, Any]:
    emails = api.get(f"{BASE}/emails").json()["contactMethods"]
    assert len(emails) == 1
    return dict(emails[0])


def email_json(
    c: dict[str, Any], label: str, email: str, rank: int, verified: bool
) -> dict[str, Any]:
    return {
        "id": c["id"],
        "extId": c["extId"],
        "label": label,
        "value": email,
        "email": email,
        "rank": rank,
        "verified": "verified" if verified else "unverified",
        "contactType": "Email",
        "_selfUrl": f"{BASE}/emails/{c['extId']}",
    }


def phone_json(c: dict[str, Any], label: str, phone: str, rank: int = 0) -> dict[str, Any]:
    return {
        "id": c["id"],
        "extId": c["extId"],
        "label": label,
        "value": phone,
        "phone": phone,
        "rank": rank,
        "verified": "unverified",
        "contactType": "Phone",
        "_selfUrl": f"{BASE}/phones/{c['extId']}",
    }


def device_json(c: dict[str, Any], label: str, topic: str, **sounds: str) -> dict[str, Any]:
    return {
        "id": c["id"],
        "extId": c["extId"],
        "label": label,
        "value": topic,
        "rank": 0,
        "verified": "unverified",
        "contactType": "Device",
        "_selfUrl": f"{BASE}/devices/{c['extId']}",
        "deviceType": "ntfy",
        "escalationNotificationSound": sounds.get("escalation", ""),
        "chatEscalationSound": sounds.get("chat", ""),
        "resolvedNotificationSound": sounds.get("resolved", ""),
    }


def _jdoe(container: Container, org: Org) -> None:
    with container.sessions.transaction() as session:
        make_user(session, org.org_id, "jdoe")


def test_new_user_has_only_the_default_email(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    r = api.get(BASE)
    assert r.status_code == 200
    body = r.json()
    default = body["emails"]["contactMethods"][0]
    assert isinstance(default["id"], int)
    assert default["extId"].startswith("email-")
    assert body == {
        "phones": {"contactMethods": []},
        "emails": {"contactMethods": [email_json(default, "Default", "jdoe@example.com", 0, True)]},
        "devices": {"contactMethods": []},
    }


def test_add_get_and_delete_an_email(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    default = default_email(api)
    r = api.post(f"{BASE}/emails", json={"label": "Work", "email": "jd@work.example"})
    assert r.status_code == 200
    work = r.json()
    assert work == email_json(work, "Work", "jd@work.example", 1, False)
    assert api.get(f"{BASE}/emails").json() == {
        "contactMethods": [
            email_json(default, "Default", "jdoe@example.com", 0, True),
            work,
        ]
    }
    assert api.get(f"{BASE}/emails/{work['extId']}").json() == work
    assert api.get(f"{BASE}/emails/{work['id']}").json() == work
    r = api.delete(f"{BASE}/emails/{work['extId']}")
    assert r.status_code == 200
    assert r.json() == work
    r = api.get(f"{BASE}/emails/{work['extId']}")
    assert r.status_code == 404
    assert r.json() == {
        "error": "Contact method not found",
        "message": "Contact method not found",
        "field": "contactId",
    }


def test_email_rank_is_kept_when_given(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    r = api.post(f"{BASE}/emails", json={"label": "Pager", "email": "p@x.example", "rank": 7})
    assert r.json() == email_json(r.json(), "Pager", "p@x.example", 7, False)


def test_default_email_cannot_be_deleted(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    default = default_email(api)
    r = api.delete(f"{BASE}/emails/{default['extId']}")
    assert r.status_code == 422
    assert r.json() == {
        "error": "The Default email contact of an account cannot be deleted",
        "message": "The Default email contact of an account cannot be deleted",
        "field": "contactId",
    }
    assert default_email(api) == default


def test_email_errors(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    r = api.post(f"{BASE}/emails", json={"label": "Home", "email": "jdoe@example.com"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "jdoe already has the email contact jdoe@example.com",
        "message": "jdoe already has the email contact jdoe@example.com",
        "field": "email",
    }
    r = api.post(f"{BASE}/emails", json={"label": "Home", "email": "nope"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid email address: nope",
        "message": "Invalid email address: nope",
        "field": "email",
    }
    r = api.post(f"{BASE}/emails", json={"email": "a@b.example"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: label",
        "message": "Missing field: label",
        "field": "label",
    }
    r = api.post(f"{BASE}/emails", json={"label": " ", "email": "a@b.example"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "label must not be empty",
        "message": "label must not be empty",
        "field": "label",
    }
    r = api.post(f"{BASE}/emails", json={"label": "x", "email": "a@b.example", "rank": -1})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid value for field 'rank': Input should be greater than or equal to 0",
        "message": "Invalid value for field 'rank': Input should be greater than or equal to 0",
        "field": "rank",
    }
    assert len(api.get(f"{BASE}/emails").json()["contactMethods"]) == 1


def test_add_get_and_delete_a_phone(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    r = api.post(f"{BASE}/phones", json={"label": "Mobile", "phone": "+1 (555) 010-0000"})
    assert r.status_code == 200
    mobile = r.json()
    assert mobile["extId"].startswith("phone-")
    assert mobile == phone_json(mobile, "Mobile", "+15550100000")
    desk = api.post(f"{BASE}/phones", json={"label": "Desk", "phone": "5550100001"}).json()
    assert desk == phone_json(desk, "Desk", "5550100001", rank=1)
    assert api.get(f"{BASE}/phones").json() == {"contactMethods": [mobile, desk]}
    assert api.get(f"{BASE}/phones/{mobile['extId']}").json() == mobile
    # A phone's id does not address an email, and the other way round.
    assert api.get(f"{BASE}/emails/{mobile['extId']}").status_code == 404
    assert api.delete(f"{BASE}/phones/{mobile['id']}").json() == mobile
    assert api.get(f"{BASE}/phones").json() == {"contactMethods": [desk]}


def test_phone_errors(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    r = api.post(f"{BASE}/phones", json={"label": "Mobile", "phone": "call me"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid phone number: call me",
        "message": "Invalid phone number: call me",
        "field": "phone",
    }
    r = api.post(f"{BASE}/phones", json={"label": "Mobile"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Missing field: phone",
        "message": "Missing field: phone",
        "field": "phone",
    }
    api.post(f"{BASE}/phones", json={"label": "Mobile", "phone": "+15550100000"})
    r = api.post(f"{BASE}/phones", json={"label": "Again", "phone": "+1 555 010 0000"})
    assert r.status_code == 422
    assert r.json() == {
        "error": "jdoe already has the phone contact +15550100000",
        "message": "jdoe already has the phone contact +15550100000",
        "field": "phone",
    }
    r = api.delete(f"{BASE}/phones/phone-nope")
    assert r.status_code == 404
    assert r.json() == {
        "error": "Contact method not found",
        "message": "Contact method not found",
        "field": "contactId",
    }


def test_register_update_and_delete_a_device(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    r = api.post("/api-ext/v1/user/jdoe/devices", json={"label": "Pixel", "topic": "jdoe-pixel"})
    assert r.status_code == 200
    pixel = r.json()
    assert pixel["extId"].startswith("device-")
    assert pixel == device_json(pixel, "Pixel", "jdoe-pixel")
    assert api.get(f"{BASE}/devices").json() == {"contactMethods": [pixel]}
    assert api.get(f"{BASE}/devices/{pixel['extId']}").json() == pixel
    r = api.put(
        f"{BASE}/devices/{pixel['extId']}",
        json={"device_label": "Work phone", "escalation_notification_sound": "siren"},
    )
    assert r.status_code == 200
    updated = device_json(pixel, "Work phone", "jdoe-pixel", escalation="siren")
    assert r.json() == updated
    r = api.put(f"{BASE}/devices/{pixel['extId']}", json={"resolved_notification_sound": "chime"})
    updated = device_json(pixel, "Work phone", "jdoe-pixel", escalation="siren", resolved="chime")
    assert r.json() == updated
    assert api.get(BASE).json()["devices"] == {"contactMethods": [updated]}
    assert api.delete(f"{BASE}/devices/{pixel['id']}").json() == updated
    assert api.get(f"{BASE}/devices").json() == {"contactMethods": []}


def test_device_errors(api: TestClient, org: Org, container: Container) -> None:
    _jdoe(container, org)
    r = api.post("/api-ext/v1/user/jdoe/devices", json={"label": "Pixel", "topic": "a b/c"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "Invalid topic: a b/c (letters, digits, _ and - only, up to 64)",
        "message": "Invalid topic: a b/c (letters, digits, _ and - only, up to 64)",
        "field": "topic",
    }
    r = api.put(f"{BASE}/devices/device-nope", json={"device_label": "x"})
    assert r.status_code == 404
    assert r.json() == {
        "error": "Contact method not found",
        "message": "Contact method not found",
        "field": "contactId",
    }
    r = api.post("/api-ext/v1/user/ghost/devices", json={"label": "Pixel", "topic": "t"})
    assert r.status_code == 404
    assert r.json() == {"error": "User not found", "message": "User not found", "field": "user"}


def test_unknown_user_is_404_on_every_contact_route(api: TestClient) -> None:
    base = "/api-public/v1/user/ghost/contact-methods"
    calls: list[tuple[str, str, Any]] = [
        ("GET", "", None),
        ("GET", "/emails", None),
        ("POST", "/emails", {"label": "x", "email": "x@y.example"}),
        ("GET", "/emails/1", None),
        ("DELETE", "/emails/1", None),
        ("GET", "/phones", None),
        ("POST", "/phones", {"label": "x", "phone": "+15550100000"}),
        ("GET", "/phones/1", None),
        ("DELETE", "/phones/1", None),
        ("GET", "/devices", None),
        ("GET", "/devices/1", None),
        ("PUT", "/devices/1", {"device_label": "x"}),
        ("DELETE", "/devices/1", None),
    ]
    for method, suffix, body in calls:
        r = api.request(method, f"{base}{suffix}", json=body)
        assert r.status_code == 404, (method, suffix)
        assert r.json() == {"error": "User not found", "message": "User not found", "field": "user"}


def test_contacts_of_another_org_are_invisible(
    api: TestClient, org: Org, container: Container, client: TestClient
) -> None:
    _jdoe(container, org)
    other = make_org(container, name="Globex", admin="boss")
    theirs = client.get(
        "/api-public/v1/user/boss/contact-methods/emails", headers=other.headers
    ).json()["contactMethods"][0]
    assert (
        api.get(f"/api-public/v1/user/boss/contact-methods/emails/{theirs['id']}").status_code
        == 404
    )
    assert api.get(f"{BASE}/emails/{theirs['id']}").status_code == 404
    assert api.get(f"{BASE}/emails/{theirs['extId']}").status_code == 404


def test_odd_ids_and_control_characters_are_400_or_404_never_500(
    api: TestClient, org: Org, container: Container
) -> None:
    _jdoe(container, org)
    for contact_id in ("%00", "9" * 30, "-1"):
        r = api.get(f"{BASE}/emails/{contact_id}")
        assert r.status_code == 404, contact_id
        assert r.json() == {
            "error": "Contact method not found",
            "message": "Contact method not found",
            "field": "contactId",
        }
    r = api.post(f"{BASE}/emails", json={"label": "W\x00rk", "email": "w@x.example"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "label must not contain control characters",
        "message": "label must not contain control characters",
        "field": "label",
    }
    device = api.post("/api-ext/v1/user/jdoe/devices", json={"label": "P", "topic": "t1"}).json()
    r = api.put(f"{BASE}/devices/{device['extId']}", json={"chat_escalation_sound": "a\x00"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "chat_escalation_sound must not contain control characters",
        "message": "chat_escalation_sound must not contain control characters",
        "field": "chat_escalation_sound",
    }
    r = api.post(f"{BASE}/phones", json={"label": "M", "phone": "+1555", "rank": 10**12})
    assert r.status_code == 400
    assert r.json()["field"] == "rank"
