"""`kitefetch.Store`: a data dir's candles for notebooks and backtests, read-only.

Every read goes through the use cases the REST API and the CLI use (application/read_bars.py,
continuous_futures.py), under the store's shared lock: a writer committing meanwhile is waited for, never seen
half done. Nothing here writes; see `kitefetch.open` for what a read may create.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from adapters.shapes import adjustments_shape, gaps_shape
from application.continuous_futures import ContinuousQuery
from application.read_bars import BarsQuery
from domain.bar_spec import BarSpec
from domain.clock_time import ist_date
from domain.errors import InvalidInput
from domain.futures import Adjustment, RollRule
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from kitefetch import frames
from kitefetch.composition import ReadSide
from kitefetch.errors import translated
from kitefetch.times import When, bounds

if TYPE_CHECKING:
    import pandas as pd

Format = Literal["pandas", "arrow"]
_INTERVAL_ORDER = {interval: n for n, interval in enumerate(Interval)}


class Store:
    """A kitefetch data dir, opened read-only by `kitefetch.open()`."""

    def __init__(self, data_dir: Path, lock_timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        self._read = ReadSide(self.data_dir, lock_timeout)

    def __repr__(self) -> str:
        return f"kitefetch.Store({str(self.data_dir)!r})"

    def series(self) -> pd.DataFrame:
        """One row per stored series: exchange, symbol (Kite's spelling), interval, first, last (IST), rows."""
        import pandas as pd

        rows = [(info.key.exchange.value, info.key.symbol, info.key.interval.value,
                 info.first_ts, info.last_ts, info.rows, _INTERVAL_ORDER[info.key.interval])
                for segment in Segment for info in self._read.stores[segment].describe().series]
        rows.sort(key=lambda r: (r[0], r[1], r[6]))
        table = pd.DataFrame({
            "exchange": [r[0] for r in rows], "symbol": [r[1] for r in rows], "interval": [r[2] for r in rows],
            "first": _times([r[3] for r in rows]), "last": _times([r[4] for r in rows]),
            "rows": np.array([r[5] for r in rows], dtype=np.int64)})
        return table

    @overload
    def candles(self, exchange: str, symbol: str, interval: str | None = None, start: When = None,
                end: When = None, *, resample: str | None = None, format: Literal["pandas"] = "pandas",
                ) -> pd.DataFrame: ...

    @overload
    def candles(self, exchange: str, symbol: str, interval: str | None = None, start: When = None,
                end: When = None, *, resample: str | None = None, format: Literal["arrow"]) -> Any: ...

    def candles(self, exchange: str, symbol: str, interval: str | None = None, start: When = None,
                end: When = None, *, resample: str | None = None, format: Format = "pandas") -> Any:
        """Stored candles of one series, or bars built from them.

        `symbol` in Kite's spelling (`"M&M"`, `"NIFTY 50"`; another case finds it too), `exchange` in any case.
        `start` and `end` are inclusive dates, datetimes or ISO text (IST unless they say otherwise). With
        `resample` ("75minute", "2hour", "day", "week", "month", "quarter", "year") the bars are built from
        `interval`'s candles, or, with no interval, from the coarsest stored interval that can build them and
        covers the range. Without it, the DataFrame equals `pandas.read_hdf` of the series' group: a tz-aware IST
        index named `timestamp`; open, high, low, close (float64), volume (+ oi for derivatives; int64).
        `format="arrow"` returns a pyarrow Table instead (for polars, DuckDB).
        """
        _check_format(format)
        with translated():
            query = BarsQuery(Exchange.parse(exchange), symbol, _interval(interval), _resample(resample),
                              *bounds(start, end))
            bars = self._read.read_bars.execute(query)
            frame = bars.frame()
        return frames.to_arrow(frame) if format == "arrow" else frames.to_pandas(frame)

    @overload
    def continuous(self, exchange: str, underlying: str, interval: str, start: When = None, end: When = None, *,
                   roll: str = "expiry", adjust: str | None = None, format: Literal["pandas"] = "pandas",
                   ) -> pd.DataFrame: ...

    @overload
    def continuous(self, exchange: str, underlying: str, interval: str, start: When = None, end: When = None, *,
                   roll: str = "expiry", adjust: str | None = None, format: Literal["arrow"]) -> Any: ...

    def continuous(self, exchange: str, underlying: str, interval: str, start: When = None, end: When = None, *,
                   roll: str = "expiry", adjust: str | None = None, format: Format = "pandas") -> Any:
        """A futures series of `underlying` (NIFTY, BANKNIFTY, M&M) stitched from its captured contracts: the
        nearest expiry each day, rolling at each expiry (`roll="expiry"`) or N session days before it
        (`"days_before:N"`); expiries come from the instrument cache. `adjust` None keeps traded prices,
        "difference" or "ratio" back-adjusts at each roll. A `contract` column names each candle's contract.
        A contract the range needs that was never captured raises SeriesNotFound naming it.
        """
        _check_format(format)
        with translated():
            query = ContinuousQuery(Exchange.parse(exchange), underlying, Interval.parse(interval),
                                    *bounds(start, end), RollRule.parse(roll), Adjustment.parse(adjust))
            series = self._read.continuous.execute(query)
        contracts = (series.contract, series.contracts)
        if format == "arrow":
            return frames.to_arrow(series.candles, contracts)
        return frames.to_pandas(series.candles, contracts)

    def gaps(self, exchange: str, symbol: str, interval: str, start: When = None, end: When = None) -> dict[str, Any]:
        """What a stored series lacks, from metadata only (the coverage ledger, the calendar, candle counts per day):
        the body `GET /api/data/gaps/...` answers, without `success`. `start`/`end` are inclusive days (default:
        the stored span); a datetime counts by its IST day."""
        with translated():
            key = SeriesKey.parse(exchange, symbol, interval)
            lo, hi = bounds(start, end)
            found = self._read.find_gaps.execute(key, None if lo is None else ist_date(lo),
                                                 None if hi is None else ist_date(hi))
        return gaps_shape(found)

    def adjustments(self, exchange: str, symbol: str) -> dict[str, Any]:
        """What Kite changed in an instrument's stored history (corporate actions, revisions) and what was healed:
        the body `GET /api/data/adjustments/...` answers, without `success`; `events` is empty when nothing
        changed. An instrument with no stored series raises SeriesNotFound."""
        with translated():
            stored = self._read.list_adjustments.execute(Exchange.parse(exchange), symbol)
        return adjustments_shape(stored)

    def close(self) -> None:
        """Close the open read handles now (they also close after a moment idle)."""
        self._read.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_format(format: str) -> None:
    if format not in ("pandas", "arrow"):
        raise ValueError(f"format must be 'pandas' or 'arrow', not {format!r}")


def _interval(text: str | None) -> Interval | None:
    if text is None:
        return None
    try:
        return Interval.parse(text)
    except InvalidInput as error:
        try:
            BarSpec.parse(text)
        except InvalidInput:
            raise error from None
        raise InvalidInput(f"{text!r} is not an interval Kite serves: read one that is and resample={text!r}, "
                           f"or leave interval out to let kitefetch choose ({error.message})") from None


def _resample(text: str | None) -> BarSpec | None:
    return None if text is None else BarSpec.parse(text)


def _times(values: list[int | None]) -> pd.DatetimeIndex:
    return frames.stamps(np.array([v if v is not None else np.iinfo(np.int64).min for v in values], dtype=np.int64))
