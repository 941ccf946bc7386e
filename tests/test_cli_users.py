"""`openoncall users set-role`, through the real executable on a fresh SQLite file."""

from __future__ import annotations

from tests.test_cli import BOOT, db, run

__all__ = ["db"]  # the fixture


def test_set_role(db: str) -> None:
    run(db, "bootstrap", "--org", "Acme", *BOOT)
    done = run(db, "users", "set-role", "ada", "alert_admin", ok=False)
    assert done.returncode == 1
    assert "ada is the last global admin of the organization" in done.stderr
    bad = run(db, "users", "set-role", "ada", "root", ok=False)
    assert bad.returncode == 2
    assert "root" in bad.stderr
    unknown = run(db, "users", "set-role", "nobody", "user", ok=False)
    assert unknown.returncode == 1
    assert "nobody" in unknown.stderr or "not found" in unknown.stderr.lower()
    same = run(db, "users", "set-role", "ada", "global_admin")
    assert "ada is now global_admin." in same.stdout
