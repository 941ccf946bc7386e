"""A window over a list (`limit` items from `offset`): what a paged list endpoint returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select

T = TypeVar("T")
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class Page:
    """`limit` items from `offset` (no limit: to the end)."""

    limit: int | None = None
    offset: int = 0

    @property
    def is_whole(self) -> bool:
        return self.limit is None and self.offset == 0

    def of(self, items: Sequence[T]) -> list[T]:
        end = None if self.limit is None else self.offset + self.limit
        return list(items[self.offset : end])

    def applied(self, query: S) -> S:
        """The same select, reading only this window (it must have a total order)."""
        if self.offset:
            query = query.offset(self.offset)
        if self.limit is not None:
            query = query.limit(self.limit)
        return query


WHOLE = Page()
