"""DescribeDatabase: size and contents of one segment database."""

from __future__ import annotations

from collections.abc import Mapping

from application.ports import CandleStore, StoreDescription
from domain.market import Segment


class DescribeDatabase:
    """Rules: a database that does not exist yet is described as empty, not as an error."""

    def __init__(self, stores: Mapping[Segment, CandleStore]) -> None:
        self._stores = stores

    def execute(self, segment: Segment) -> StoreDescription:
        return self._stores[segment].describe()
