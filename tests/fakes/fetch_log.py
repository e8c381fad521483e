"""An in-memory FetchLog for use-case tests."""

from __future__ import annotations

from application.fetch_record import FetchRecord
from application.ports import FetchLog


class InMemoryFetchLog(FetchLog):
    def __init__(self) -> None:
        self.records: list[FetchRecord] = []

    def record(self, entry: FetchRecord) -> None:
        self.records.append(entry)

    def recent(self, limit: int = 50) -> list[FetchRecord]:
        return self.records[::-1][:limit]
