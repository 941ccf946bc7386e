"""Session factories and the one-transaction-per-unit-of-work helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class Sessions:
    """Two factories over one pool: readers begin DEFERRED, writers IMMEDIATE on SQLite."""

    read: sessionmaker[Session]
    write: sessionmaker[Session]

    @classmethod
    def for_engine(cls, engine: Engine) -> Sessions:
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        return cls(
            read=sessionmaker(bind=engine, expire_on_commit=False),
            write=sessionmaker(bind=writer, expire_on_commit=False),
        )

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """Commit when the block ends normally, roll back when it raises."""
        factory = self.write if write else self.read
        with factory() as session, session.begin():
            yield session
