"""ListFetches: the latest fetches, failed ones included, newest first."""

from __future__ import annotations

from application.fetch_record import FetchRecord
from application.ports import FetchLog

MAX_LIMIT = 500  # the fetch log keeps about this many


class ListFetches:
    """Rules: answered from the fetch log alone (no store or Kite call); at most MAX_LIMIT entries."""

    def __init__(self, fetch_log: FetchLog) -> None:
        self._fetch_log = fetch_log

    def execute(self, limit: int = 50) -> list[FetchRecord]:
        return self._fetch_log.recent(max(1, min(limit, MAX_LIMIT)))
