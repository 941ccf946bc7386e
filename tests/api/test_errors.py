"""Bad input is a 4xx JSON error, never a 500, whatever the database."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from openoncall.auth.deps import DbSession


def test_a_value_the_database_cannot_store_is_a_400_not_a_500(app: FastAPI, backend: str) -> None:
    @app.post("/test-only/store")
    def store(session: DbSession) -> dict[str, str]:
        session.execute(text("SELECT :v"), {"v": "a\u0000b"})
        return {"stored": "yes"}

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/test-only/store")
    if backend == "postgresql":
        assert r.status_code == 400
        assert r.json() == {
            "error": "Invalid value: text must not contain NUL characters",
            "message": "Invalid value: text must not contain NUL characters",
        }
    else:  # SQLite stores NUL in text
        assert r.status_code == 200


def test_body_that_is_not_json_is_a_400_naming_the_body(api: TestClient) -> None:
    r = api.post(
        "/api-public/v1/team",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": "Request body is not valid JSON",
        "message": "Request body is not valid JSON",
        "field": "body",
    }
