"""ListTracked: what is kept current, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports import TrackedRepository
from application.tracked import Tracked
from domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class TrackedPage:
    entries: tuple[Tracked, ...]
    total: int
    page: int  # from 1
    per_page: int | None  # None: everything on one page

    @property
    def pages(self) -> int:
        return 1 if not self.per_page else max(1, -(-self.total // self.per_page))


class ListTracked:
    """Rules: in the order tracked; read from the tracked file only (no Kite, no store). `per_page` None is
    everything; a page past the last is empty, not an error."""

    def __init__(self, tracked: TrackedRepository) -> None:
        self._tracked = tracked

    def execute(self, page: int = 1, per_page: int | None = None) -> TrackedPage:
        if page < 1 or (per_page is not None and per_page < 1):
            raise InvalidInput("page and per_page start at 1")
        entries = self._tracked.load().entries
        shown = entries if per_page is None else entries[(page - 1) * per_page: page * per_page]
        return TrackedPage(shown, len(entries), page, per_page)
