"""GetExistingRange: what a series holds, from metadata only."""

from __future__ import annotations

from collections.abc import Mapping

from application.ports import CandleStore, SeriesInfo
from application.stored_series import stored_key
from domain.instrument import SeriesKey
from domain.market import Segment


class GetExistingRange:
    """Rules: answered from the store's metadata without reading candles; None when nothing is stored."""

    def __init__(self, stores: Mapping[Segment, CandleStore]) -> None:
        self._stores = stores

    def execute(self, key: SeriesKey) -> SeriesInfo | None:
        store = self._stores[key.segment]
        info = store.info(stored_key(store, key))
        if info is None or info.rows == 0:
            return None
        return info
