"""Rotation forms over HTTP: the shift's time zone is explicit and its start is local time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from openoncall.container import Container
from openoncall.rotations.models import RotationGroup, RotationMember, RotationShift
from tests.api.scheduling_builders import make_team
from tests.conftest import Org
from tests.web.conftest import add_user, sign_in


def test_create_and_delete_rotation(client: TestClient, org: Org, container: Container) -> None:
    add_user(container, org, "alice")
    add_user(container, org, "bob")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    csrf = sign_in(client, "admin")
    assert "has no rotations yet" in client.get("/rotations").text
    created = client.post(
        "/rotations",
        data={
            "team": team,
            "label": "Primary",
            "shift_label": "Weekly",
            "timezone": "Europe/Paris",
            "start": "2026-01-05T09:00",
            "duration": "7",
            "members": "alice, bob",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    page = client.get("/rotations", params={"team": team})
    assert "Europe/Paris" in page.text
    assert "alice → bob" in page.text
    with container.sessions.transaction() as session:
        shift = session.scalars(select(RotationShift)).one()
        # 09:00 in Paris in January is 08:00 UTC.
        assert shift.start_at == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        assert shift.timezone == "Europe/Paris"
        assert shift.handoff_days == 7
        members = session.scalars(select(RotationMember).order_by(RotationMember.position))
        assert len(list(members)) == 2
        group_id = session.scalars(select(RotationGroup.id)).one()
    shift_id = shift.id
    turned = client.post(
        f"/rotations/{team}/{group_id}/{shift_id}/scheduled",
        data={"username": "bob", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert turned.status_code == 303, turned.text
    assert "Now: <strong>bob</strong>" in client.get("/rotations", params={"team": team}).text
    stranger = client.post(
        f"/rotations/{team}/{group_id}/{shift_id}/scheduled",
        data={"username": "admin", "csrf_token": csrf},
    )
    assert stranger.status_code == 400
    assert "not a member" in stranger.text
    bad_zone = client.post(
        "/rotations",
        data={
            "team": team,
            "label": "Other",
            "shift_label": "W",
            "timezone": "Mars/Base",
            "start": "2026-01-05T09:00",
            "members": "alice",
            "csrf_token": csrf,
        },
    )
    assert bad_zone.status_code == 400
    deleted = client.post(
        f"/rotations/{team}/{group_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303
    with container.sessions.transaction() as session:
        assert session.scalar(select(RotationGroup)) is None


def test_non_admin_cannot_create_rotations(
    client: TestClient, org: Org, container: Container
) -> None:
    add_user(container, org, "bob")
    team = make_team(container, org.org_id, "Ops", ["bob"])
    csrf = sign_in(client, "bob")
    assert 'id="new-rotation"' not in client.get("/rotations").text
    refused = client.post(
        "/rotations",
        data={
            "team": team,
            "label": "P",
            "shift_label": "W",
            "timezone": "UTC",
            "start": "2026-01-05T09:00",
            "members": "bob",
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 403


def test_preview_shows_the_next_handoffs_and_saves_nothing(
    client: TestClient, org: Org, container: Container
) -> None:
    add_user(container, org, "alice")
    add_user(container, org, "bob")
    team = make_team(container, org.org_id, "Ops", ["alice", "bob"])
    csrf = sign_in(client, "admin")
    form = {
        "team": team,
        "label": "Primary",
        "shift_label": "Daily",
        "timezone": "Europe/Paris",
        "start": "2026-01-05T09:00",
        "duration": "1",
        "members": "alice, bob",
        "csrf_token": csrf,
    }
    shown = client.post("/rotations", data={**form, "preview": "true"})
    assert shown.status_code == 200, shown.text
    assert "Preview: the next handoffs (nothing saved yet)" in shown.text
    preview = shown.text[shown.text.index('id="handoff-preview"') :]
    preview = preview[: preview.index("</section>")]
    # T0 is Monday 12:00 UTC: alice's first day runs to Tuesday 09:00 Paris (08:00 UTC).
    assert preview.count("<li>") == 6
    assert re.search(r"<strong>alice</strong> from .*?2026-01-05 08:00 UTC", preview)
    assert re.search(r"<strong>bob</strong> from .*?2026-01-06 08:00 UTC", preview)
    # What was typed is still in the form; nothing was written.
    assert 'value="alice, bob"' in shown.text
    assert '<option value="Europe/Paris" selected>' in shown.text
    with container.sessions.transaction() as session:
        assert session.scalars(select(RotationGroup)).all() == []
        assert session.scalars(select(RotationShift)).all() == []
    # Saving the same form makes it.
    made = client.post("/rotations", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
