"""Integrations → API and → REST endpoint pages, over HTTP with a signed-in session."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.ids import hash_secret
from openoncall.orgs.models import ApiKey, Organization
from tests.conftest import Org
from tests.web.conftest import add_user, sign_in

_SECRET = re.compile(r'<code id="new-key-secret">([^<]+)</code>')


def _new_key(client: TestClient, csrf: str, label: str, *, read_only: bool) -> str:
    data = {"label": label, "csrf_token": csrf}
    if read_only:
        data["read_only"] = "true"
    posted = client.post("/integrations/api/keys", data=data, follow_redirects=False)
    # Post/redirect/get: the secret is on the page after the redirect, shown once.
    assert posted.status_code == 303, posted.text
    assert posted.headers["location"] == "/integrations/api#new-key"
    response = client.get(posted.headers["location"])
    assert response.status_code == 200, response.text
    match = _SECRET.search(response.text)
    assert match is not None
    assert "will not be shown again" in response.text
    return match.group(1)


def test_api_page_shows_api_id_keys_and_docs_link(client: TestClient, org: Org) -> None:
    sign_in(client, "admin")
    page = client.get("/integrations/api")
    assert page.status_code == 200
    assert f'<code id="api-id">{org.boot.api_id}</code>' in page.text
    assert 'href="/api-docs"' in page.text
    assert "Read the API Documentation" in page.text
    assert "bootstrap" in page.text  # the bootstrap key's label
    assert "New Key" in page.text


def test_read_only_key_can_get_but_not_post(
    client: TestClient, org: Org, container: Container
) -> None:
    csrf = sign_in(client, "admin")
    secret = _new_key(client, csrf, "dashboards", read_only=True)
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": secret}
    api = TestClient(client.app)
    got = api.get("/api-public/v1/team", headers=headers)
    assert got.status_code == 200, got.text
    assert got.json() == api.get("/api-public/v1/team", headers=org.headers).json()
    refused = api.post("/api-public/v1/team", headers=headers, json={"name": "Ops"})
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "This API key is read-only: only GET requests are allowed",
        "message": "This API key is read-only: only GET requests are allowed",
    }
    with container.sessions.transaction() as session:
        key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret)))
        assert key is not None
        assert key.is_read_only
        assert key.label == "dashboards"
    # The secret appears once: the page never shows it again.
    assert secret not in client.get("/integrations/api").text


def test_full_key_and_revoke(client: TestClient, org: Org, container: Container) -> None:
    csrf = sign_in(client, "admin")
    secret = _new_key(client, csrf, "ci", read_only=False)
    with container.sessions.transaction() as session:
        key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret)))
        assert key is not None
        assert not key.is_read_only
        public_id = key.public_id
    page = client.get("/integrations/api")
    assert f'id="key-{public_id}"' in page.text
    revoked = client.post(
        f"/integrations/api/keys/{public_id}/revoke",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    after = client.get("/integrations/api")
    assert f'id="key-{public_id}"' not in after.text
    assert "is revoked" in after.text
    headers = {"X-VO-Api-Id": org.boot.api_id, "X-VO-Api-Key": secret}
    assert TestClient(client.app).get("/api-public/v1/team", headers=headers).status_code == 403
    again = client.post(f"/integrations/api/keys/{public_id}/revoke", data={"csrf_token": csrf})
    assert again.status_code == 404


def test_non_admin_sees_no_key_management_and_is_refused(
    client: TestClient, org: Org, container: Container
) -> None:
    add_user(container, org, "bob")
    csrf = sign_in(client, "bob")
    page = client.get("/integrations/api")
    assert page.status_code == 200
    assert org.boot.api_id in page.text
    assert "new-key-form" not in page.text
    assert "Revoke" not in page.text
    assert "Only admins can create or revoke API keys" in page.text
    refused = client.post("/integrations/api/keys", data={"label": "sneaky", "csrf_token": csrf})
    assert refused.status_code == 403
    assert "Only admins can create API keys" in refused.text
    with container.sessions.transaction() as session:
        bootstrap_id = session.scalar(select(ApiKey.public_id))
        labels = session.scalars(select(ApiKey.label)).all()
    assert labels == ["bootstrap"]
    revoke = client.post(f"/integrations/api/keys/{bootstrap_id}/revoke", data={"csrf_token": csrf})
    assert revoke.status_code == 403
    regen = client.post("/integrations/rest/regenerate", data={"csrf_token": csrf})
    assert regen.status_code == 403


def test_rest_endpoint_page_and_regeneration(
    client: TestClient, org: Org, container: Container
) -> None:
    csrf = sign_in(client, "admin")
    page = client.get("/integrations/rest")
    assert page.status_code == 200
    base = container.settings.base_url.rstrip("/")
    assert (
        f"{base}/integrations/generic/20131114/alert/$REST_ENDPOINT_KEY/$routing_key" in page.text
    )
    assert "curl -X POST" in page.text
    assert "stored only as a hash" in page.text
    assert org.boot.rest_endpoint_key not in page.text
    posted = client.post(
        "/integrations/rest/regenerate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert posted.status_code == 303
    regen = client.get(posted.headers["location"])
    assert regen.status_code == 200
    found = re.search(r"/alert/([^/<]+)/\$routing_key</code>", regen.text)
    email = re.search(r'<code id="email-address">([^+<]+)\+', regen.text)
    assert found is not None
    assert email is not None
    rest_key = found.group(1)
    assert rest_key not in client.get("/integrations/rest").text  # shown once
    with container.sessions.transaction() as session:
        stored = session.get(Organization, org.org_id)
        assert stored is not None
        assert stored.rest_key_hash == hash_secret(rest_key)
        assert stored.email_key_hash == hash_secret(email.group(1))
        assert stored.rest_key_hash != hash_secret(org.boot.rest_endpoint_key)


def test_refreshing_after_new_key_makes_no_second_key(
    client: TestClient, org: Org, container: Container
) -> None:
    csrf = sign_in(client, "admin")

    def count() -> int:
        with container.sessions.transaction() as session:
            return len(session.scalars(select(ApiKey).where(ApiKey.org_id == org.org_id)).all())

    before = count()
    secret = _new_key(client, csrf, "once", read_only=False)
    assert count() == before + 1
    # A refresh is a GET of the page redirected to: no new key, and the secret is gone.
    again = client.get("/integrations/api")
    assert again.status_code == 200
    assert secret not in again.text
    assert count() == before + 1
