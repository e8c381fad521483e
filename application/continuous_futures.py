"""ContinuousFutures: one futures series of an underlying, stitched from the contracts captured one by one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from application.ports import CandleStore, InstrumentCatalog, TradingCalendar
from domain import futures
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start, ist_date, to_datetime
from domain.errors import InvalidInput, NotFound
from domain.futures import Adjustment, RollRule
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

_ADJUST_LOOKBACK_DAYS = 31  # how far back a new contract's last candle may lie from the old one's at a roll


@dataclass(frozen=True, slots=True)
class ContinuousQuery:
    exchange: Exchange
    underlying: str  # the dump's name: NIFTY, BANKNIFTY, M&M
    interval: Interval
    start_ts: int | None = None  # inclusive epoch seconds; None: the first stored candle of any contract
    end_ts: int | None = None  # inclusive; None: the last one
    roll: RollRule = RollRule()
    adjust: Adjustment | None = None


@dataclass(frozen=True)
class ContinuousSeries:
    candles: CandleFrame
    contract: np.ndarray  # per candle, its contract's position in `contracts`
    contracts: tuple[str, ...]  # tradingsymbols in expiry order


class ContinuousFutures:
    """Rules:
    - the contracts are the underlying's futures the instrument cache knows (live and expired), in expiry order,
      their expiries from the cache; the front one on each day follows domain/futures.py's roll rule;
    - a contract whose days as the front one overlap the range must have been captured at the interval, else
      NotFound naming it (the series would have a hole nobody asked for); a range starting before the first known
      contract's days is NotFound saying where the series can start (which contract came before is unknown);
    - adjust None keeps traded prices; "difference" and "ratio" back-adjust at each roll (domain/futures.py).
    """

    def __init__(self, stores: Mapping[Segment, CandleStore], catalog: InstrumentCatalog,
                 calendar: TradingCalendar) -> None:
        self._stores = stores
        self._catalog = catalog
        self._calendar = calendar

    def execute(self, query: ContinuousQuery) -> ContinuousSeries:
        if query.exchange.segment is not Segment.DERIVATIVES:
            raise InvalidInput(f"Futures trade on NFO and BFO, not {query.exchange.value}")
        store = self._stores[Segment.DERIVATIVES]
        contracts = list(self._catalog.futures(query.exchange, query.underlying))
        if not contracts:
            raise NotFound(f"The instrument cache knows no futures of {query.underlying} on {query.exchange.value}")
        keys = [SeriesKey(query.exchange, c.tradingsymbol, query.interval) for c in contracts]
        infos = [store.info(key) for key in keys]
        captured = [info for info in infos if info is not None and info.first_ts is not None]
        if not captured:
            raise NotFound(f"No futures of {query.underlying} on {query.exchange.value} are stored at "
                           f"{query.interval.value}: fetch {contracts[-1].tradingsymbol} and the others you need")
        windows = self._windows(query, contracts)
        earliest = windows[0][0]
        start = query.start_ts if query.start_ts is not None else max(earliest, min(int(i.first_ts or 0)
                                                                                    for i in captured))
        end = query.end_ts if query.end_ts is not None else max(int(i.last_ts or 0) for i in captured)
        if start < earliest:
            raise NotFound(f"The continuous {query.underlying} series starts on {ist_date(earliest)} at the earliest: "
                           f"the instrument cache knows no future of it expiring before "
                           f"{contracts[0].expiry} ({contracts[0].tradingsymbol}), so the front contract before "
                           "is unknown")
        needed = [n for n, (lo, hi) in enumerate(windows) if lo <= end and hi >= start]
        missing = [f"{query.exchange.value}:{contracts[n].tradingsymbol} (expiry {contracts[n].expiry})"
                   for n in needed if infos[n] is None]
        if missing:
            raise NotFound(f"{', '.join(missing)} never captured at {query.interval.value}: the continuous "
                           f"{query.underlying} series from {ist_date(start)} to {ist_date(end)} needs "
                           f"{'it' if len(missing) == 1 else 'them'}")
        pieces: list[tuple[SeriesKey, CandleFrame]] = []
        for n in needed:
            lo, hi = windows[n]
            frame = store.read(keys[n], max(lo, start), min(hi, end))
            if len(frame):  # a contract without candles in its window takes no part in a roll either
                pieces.append((keys[n], frame))
        frames = [frame for _, frame in pieces]
        candles = CandleFrame.concat(frames, query.exchange.segment.has_open_interest)
        contract = np.repeat(np.arange(len(frames), dtype=np.int64), [len(f) for f in frames])
        if query.adjust is not None and len(pieces) > 1:
            candles = futures.adjust(candles, contract, self._adjustments(pieces, query.adjust), query.adjust)
        return ContinuousSeries(candles, contract, tuple(key.symbol for key, _ in pieces))

    def _windows(self, query: ContinuousQuery, contracts: list[Instrument]) -> list[tuple[int, int]]:
        """Each contract's days as the front one, as inclusive epoch seconds."""
        expiries = [c.expiry for c in contracts if c.expiry is not None]
        first = expiries[0] - timedelta(days=3 * query.roll.days_before + 14)
        session_days = self._calendar.sessions(query.exchange, first, expiries[-1]).session_days()
        windows = futures.front_windows(query.roll.last_days(expiries, session_days))
        return [(day_start(lo), day_end(hi)) for lo, hi in windows]

    def _adjustments(self, pieces: list[tuple[SeriesKey, CandleFrame]], how: Adjustment) -> np.ndarray:
        """Per piece, from both contracts' closes at the old one's last candle before each roll."""
        store = self._stores[Segment.DERIVATIVES]
        old_closes, new_closes = [], []
        for (old_key, old), (new_key, _) in zip(pieces, pieces[1:], strict=False):
            at = int(old.ts[-1])
            new = _last_before(store, new_key, at)
            if new is None:
                raise InvalidInput(f"Cannot adjust the roll from {old_key.symbol} to {new_key.symbol}: "
                                   f"{new_key.symbol} has no candle at or before {to_datetime(at).isoformat()}")
            old_closes.append(float(old.close[-1]))
            new_closes.append(new)
        return futures.back_adjustments(np.array(old_closes), np.array(new_closes), how)


def _last_before(store: CandleStore, key: SeriesKey, ts: int) -> float | None:
    """The close of the series' last candle at or before `ts` (within a month), or None."""
    frame = store.read(key, day_start(ist_date(ts)) - _ADJUST_LOOKBACK_DAYS * 86_400, ts)
    return float(frame.close[-1]) if len(frame) else None
