"""People and teams pages over HTTP: users with set-password links, profiles, teams."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.contacts.models import ContactMethod
from openoncall.container import Container
from openoncall.teams.models import Team, TeamMember
from openoncall.users.models import User
from tests.api.scheduling_builders import make_team
from tests.conftest import Org
from tests.web.conftest import add_user, csrf_of, sign_in

_INVITE = re.compile(r'<code id="invite-link">[^<]*(/set-password/[^<]+)</code>')


def test_admin_adds_user_who_sets_password_from_the_link(
    client: TestClient, org: Org, container: Container
) -> None:
    csrf = sign_in(client, "admin")
    created = client.post(
        "/people",
        data={
            "username": "Carol",
            "first_name": "Carol",
            "last_name": "Danvers",
            "email": "carol@acme.example",
            "expiration_hours": "48",
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 201, created.text
    match = _INVITE.search(created.text)
    assert match is not None
    link = match.group(1)
    assert "Carol Danvers" in client.get("/people").text
    newcomer = TestClient(client.app)
    page = newcomer.get(link)
    assert page.status_code == 200
    done = newcomer.post(
        link,
        data={
            "password": "carol's password",
            "confirm": "carol's password",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert newcomer.get("/people/carol").status_code == 200
    sign_in(TestClient(client.app), "carol", "carol's password")
    with container.sessions.transaction() as session:
        carol = session.scalar(select(User).where(User.username == "carol"))
        assert carol is not None
        assert carol.is_verified
        assert carol.role == "user"


def test_non_admin_cannot_add_users_or_teams(
    client: TestClient, org: Org, container: Container
) -> None:
    add_user(container, org, "bob")
    csrf = sign_in(client, "bob")
    assert "new-user-form" not in client.get("/people").text
    refused = client.post(
        "/people",
        data={
            "username": "mallory",
            "first_name": "M",
            "last_name": "M",
            "email": "m@acme.example",
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 403
    assert client.post("/teams", data={"name": "Ops", "csrf_token": csrf}).status_code == 403
    assert client.post("/people/admin/invite", data={"csrf_token": csrf}).status_code == 403
    # Nor may bob change the admin's contact methods.
    other = client.post(
        "/people/admin/contacts",
        data={"kind": "email", "label": "x", "value": "x@acme.example", "csrf_token": csrf},
    )
    assert other.status_code == 403
    with container.sessions.transaction() as session:
        assert session.scalar(select(User).where(User.username == "mallory")) is None
        assert session.scalar(select(Team)) is None
    # A team bob is not in: he may not mint its calendar feed.
    team = make_team(container, org.org_id, "Ops", ["admin"])
    feed = client.post(f"/teams/{team}/calendar", data={"csrf_token": csrf})
    assert feed.status_code == 403


def test_profile_contacts_and_calendar_link(
    client: TestClient, org: Org, container: Container
) -> None:
    add_user(container, org, "bob")
    csrf = sign_in(client, "bob")
    page = client.get("/people/bob")
    assert page.status_code == 200
    assert "bob@acme.example" in page.text  # the Default email contact
    added = client.post(
        "/people/bob/contacts",
        data={"kind": "phone", "label": "Mobile", "value": "+14155550100", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "+14155550100" in client.get("/people/bob").text
    bad = client.post(
        "/people/bob/contacts",
        data={"kind": "phone", "label": "Bad", "value": "call me", "csrf_token": csrf},
    )
    assert bad.status_code == 400
    feed = client.post("/people/bob/calendar", data={"csrf_token": csrf})
    assert feed.status_code == 200
    url = re.search(r'<code id="feed-url">[^<]*?(/[^<]+\.ics)</code>', feed.text)
    assert url is not None
    ics = TestClient(client.app).get(url.group(1))
    assert ics.status_code == 200
    assert "BEGIN:VCALENDAR" in ics.text
    with container.sessions.transaction() as session:
        phones = session.scalars(select(ContactMethod.value).where(ContactMethod.kind == "phone"))
        assert list(phones) == ["+14155550100"]


def test_teams_members_and_admins(client: TestClient, org: Org, container: Container) -> None:
    add_user(container, org, "bob")
    csrf = sign_in(client, "admin")
    assert "No teams yet" in client.get("/teams").text
    created = client.post(
        "/teams", data={"name": "Ops", "csrf_token": csrf}, follow_redirects=False
    )
    assert created.status_code == 303
    team_url = created.headers["location"]
    added = client.post(
        f"{team_url}/members", data={"username": "bob", "csrf_token": csrf}, follow_redirects=False
    )
    assert added.status_code == 303
    made_admin = client.post(
        f"{team_url}/members/bob/admin",
        data={"admin": "true", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert made_admin.status_code == 303
    page = client.get(team_url)
    assert "team admin" in page.text
    with container.sessions.transaction() as session:
        member = session.scalar(select(TeamMember))
        assert member is not None
        assert member.is_admin
    removed = client.post(
        f"{team_url}/members/bob/remove", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert "No members yet" in client.get(team_url).text
    feed = client.post(f"{team_url}/calendar", data={"csrf_token": csrf})
    assert feed.status_code == 200
    url = re.search(r'<code id="team-feed-url">[^<]*?(/[^<]+\.ics)</code>', feed.text)
    assert url is not None
    ics = TestClient(client.app).get(url.group(1))
    assert ics.status_code == 200
    assert "BEGIN:VCALENDAR" in ics.text
    duplicate = client.post("/teams", data={"name": "Ops", "csrf_token": csrf})
    assert duplicate.status_code in (400, 409, 422)


def test_personal_paging_steps(client: TestClient, org: Org, container: Container) -> None:
    add_user(container, org, "bob")
    csrf = sign_in(client, "bob")
    client.post(
        "/people/bob/contacts",
        data={"kind": "phone", "label": "Mobile", "value": "+14155550100", "csrf_token": csrf},
    )
    with container.sessions.transaction() as session:
        phone_id = session.scalars(
            select(ContactMethod.id).where(ContactMethod.kind == "phone")
        ).one()
    added = client.post(
        "/people/bob/paging",
        data={"how": f"sms:{phone_id}", "timeout": "10", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    page = client.get("/people/bob")
    assert "sms to Mobile (+14155550100)" in page.text
    assert "then wait 10 min" in page.text
    bad = client.post(
        "/people/bob/paging", data={"how": "pigeon", "timeout": "10", "csrf_token": csrf}
    )
    assert bad.status_code == 400
    assert "Unknown notification type" in bad.text
    odd = client.post(
        "/people/bob/paging", data={"how": "push", "timeout": "7", "csrf_token": csrf}
    )
    assert odd.status_code == 400
    assert (
        client.post("/people/admin/paging", data={"how": "push", "csrf_token": csrf}).status_code
        == 403
    )
