"""The tracked list in memory, for use-case tests."""

from __future__ import annotations

from collections.abc import Callable

from application.ports import TrackedRepository
from application.tracked import TrackedList


class MemoryTracked(TrackedRepository):
    def __init__(self, tracked: TrackedList | None = None) -> None:
        self.tracked = tracked or TrackedList()
        self.saves = 0

    def load(self) -> TrackedList:
        return self.tracked

    def update(self, change: Callable[[TrackedList], TrackedList]) -> TrackedList:
        self.tracked = change(self.tracked)  # a change that raises saves nothing
        self.saves += 1
        return self.tracked
