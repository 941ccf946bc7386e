"""Two organizations on one server: sign-in names the organization, and nothing of one is
visible or changeable from the other's session."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.orgs.models import ApiKey
from tests.conftest import Org, make_org
from tests.web.conftest import PASSWORD, csrf_of

ALERT = "/integrations/generic/20131114/alert"


def _sign_in(client: TestClient, org_slug: str) -> str:
    page = client.get("/login")
    assert 'name="org"' in page.text  # several organizations: the form asks which
    response = client.post(
        "/login",
        data={
            "org": org_slug,
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account/password").text)


def test_organizations_stay_apart(client: TestClient, org: Org, container: Container) -> None:
    other = make_org(container, name="Globex")
    for tenant, entity in ((org, "acme/db"), (other, "globex/db")):
        sent = client.post(
            f"{ALERT}/{tenant.boot.rest_endpoint_key}/x",
            json={"message_type": "CRITICAL", "entity_id": entity, "entity_display_name": entity},
        )
        assert sent.status_code == 200
    page = client.get("/login")
    wrong_org = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert wrong_org.status_code == 401  # no organization named, none guessed
    csrf = _sign_in(client, other.boot.org_slug)
    timeline = client.get("/timeline")
    assert "globex/db" in timeline.text
    assert "acme/db" not in timeline.text
    assert "globex/db" in client.get("/incidents/1").text
    api_page = client.get("/integrations/api")
    assert other.boot.api_id in api_page.text
    assert org.boot.api_id not in api_page.text
    with container.sessions.transaction() as session:
        acme_key = session.scalars(
            select(ApiKey.public_id).where(ApiKey.org_id == org.org_id)
        ).one()
    refused = client.post(f"/integrations/api/keys/{acme_key}/revoke", data={"csrf_token": csrf})
    assert refused.status_code == 404
    with container.sessions.transaction() as session:
        key = session.scalars(select(ApiKey).where(ApiKey.public_id == acme_key)).one()
        assert key.revoked_at is None
    # Acting on incident 1 acts on Globex's incident 1, never Acme's.
    acked = client.post("/incidents/1/ack", data={"csrf_token": csrf}, follow_redirects=False)
    assert acked.status_code == 303
    acme = TestClient(client.app)
    _sign_in(acme, org.boot.org_slug)
    assert "Triggered" in acme.get("/incidents/1").text
