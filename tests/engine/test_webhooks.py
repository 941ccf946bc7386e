"""Outgoing webhooks: `openoncall webhooks add|list|remove` and GET /api-public/v1/webhooks."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openoncall.container import Container
from openoncall.webhooks.commands import webhooks_app
from tests.conftest import Org, make_org


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setenv("OPENONCALL_DATABASE_URL", db_url)


def _run(*args: str) -> str:
    result = CliRunner().invoke(webhooks_app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_webhooks_added_with_the_cli_are_listed_by_the_api(
    api: TestClient, org: Org, cli_env: None
) -> None:
    added = json.loads(
        _run("add", "--label", "Ops bot", "--url", "https://hooks.example.com/x", "--json")
    )
    assert added["slug"].startswith("whk-")
    assert len(added["secret"]) >= 40
    r = api.get("/api-public/v1/webhooks")
    assert r.status_code == 200
    assert r.json() == {
        "webHooks": [
            {"slug": added["slug"], "label": "Ops bot", "url": "https://hooks.example.com/x"}
        ]
    }
    assert json.loads(_run("list", "--json")) == [
        {"slug": added["slug"], "label": "Ops bot", "url": "https://hooks.example.com/x"}
    ]
    assert _run("remove", added["slug"]) == f"Webhook {added['slug']} removed\n"
    assert api.get("/api-public/v1/webhooks").json() == {"webHooks": []}


def test_webhook_cli_refuses_bad_urls_and_duplicate_labels(org: Org, cli_env: None) -> None:
    bad = CliRunner().invoke(webhooks_app, ["add", "--label", "x", "--url", "ftp://nope"])
    assert bad.exit_code == 1
    assert "Invalid webhook URL: ftp://nope (url)" in bad.output
    _run("add", "--label", "x", "--url", "http://127.0.0.1:9/")
    dup = CliRunner().invoke(webhooks_app, ["add", "--label", "x", "--url", "http://127.0.0.1:9/"])
    assert dup.exit_code == 1
    assert "A webhook labelled x already exists (label)" in dup.output


def test_other_orgs_webhooks_are_invisible(
    api: TestClient, org: Org, container: Container, cli_env: None
) -> None:
    make_org(container, name="Other", admin="other")
    _run("add", "--org", "other", "--label", "theirs", "--url", "http://127.0.0.1:9/")
    assert api.get("/api-public/v1/webhooks").json() == {"webHooks": []}


def test_webhooks_need_the_api_headers(client: TestClient) -> None:
    r = client.get("/api-public/v1/webhooks")
    assert r.status_code == 401
