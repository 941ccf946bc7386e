"""`openoncall db backup PATH`: a consistent copy of the database while it is in use.

SQLite: the online backup API copies the database in one step, inside one read
transaction, so it sees one committed state however many writers commit meanwhile (a plain
`cp` of a WAL database can copy a torn file). In WAL mode that read does not block writers.
(Copying in several steps would let them commit in between, and each such commit restarts
the copy: under steady alert traffic it would never finish.) The copy is checked
(`PRAGMA integrity_check`) and only then moved to PATH, so PATH is never a half-written
file. PostgreSQL: `pg_dump --format=custom` (one snapshot; restore with `pg_restore`); the
password goes to pg_dump in its environment, never on its command line where `ps` shows it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from openoncall.db.engine import normalize_url


class BackupFailed(Exception):
    pass


def backup(url: str, target: Path) -> str:
    """Write a backup of the database at `url` to `target`; returns the method used."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupFailed("an in-memory SQLite database cannot be backed up")
        _sqlite(Path(parsed.database), target)
        return "sqlite online backup"
    _pg_dump(url, target)
    return "pg_dump --format=custom"


def _sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupFailed(f"no database file at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # Not mode=ro: a read-only connection cannot open a WAL database whose -shm file is
    # missing (no server running). The backup only reads through it.
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=-1)
            (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupFailed(f"the copy failed its integrity check: {verdict}")
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    partial.replace(target)


def _pg_dump(url: str, target: Path) -> None:
    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupFailed("pg_dump not found: install the PostgreSQL client tools")
    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(password=None).render_as_string(hide_password=False)
    partial = target.with_name(target.name + ".partial")
    done = subprocess.run(  # noqa: S603  (a fixed executable and arguments, no shell)
        [exe, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={conninfo}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {done.stderr.strip()[:500]}")
    partial.replace(target)
