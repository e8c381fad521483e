"""Untrack: stop keeping an entry current."""

from __future__ import annotations

from application.ports import TrackedRepository
from application.tracked import Tracked, TrackedList


class Untrack:
    """Rules: an id that is not tracked is NotFound; the stored candles of its series stay (untracking deletes
    nothing but the entry)."""

    def __init__(self, tracked: TrackedRepository) -> None:
        self._tracked = tracked

    def execute(self, tracked_id: str) -> Tracked:
        removed: list[Tracked] = []

        def change(tracked: TrackedList) -> TrackedList:
            removed.append(tracked.get(tracked_id))
            return tracked.without(tracked_id)

        self._tracked.update(change)
        return removed[0]
