"""ResolveTracked: today's concrete series of what is tracked; what a sync keeps current, and until when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.ports import Clock, InstrumentCatalog, MarketDataSource, TrackedRepository
from application.tracked import RuleKind, Tracked, TrackedSeries
from domain.clock_time import day_start, ist_date
from domain.errors import AuthRequired, DomainError, NotFound, UpstreamFailure
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange
from domain.option_chain import FUTURE_TYPES, OPTION_TYPES, InstrumentRef, contracts_of, select_futures, select_options

PRICE_LOOKBACK_DAYS = 14  # holds a session whatever the holidays: the longest run of closed days is about five


@dataclass(frozen=True, slots=True)
class UnderlyingClose:
    """The price an options rule was resolved around: the close of `symbol`'s last day candle, on `day`."""

    symbol: InstrumentRef
    close: float
    day: date


@dataclass(frozen=True, slots=True)
class ResolvedSeries:
    """One series to keep current: from `from_date` (None: from the instrument's first candle, its listing for a
    contract) through `until` (the contract's expiry, after which it is finished; None: no end)."""

    tracked_id: str
    key: SeriesKey
    instrument: Instrument
    from_date: date | None
    until: date | None


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one tracked entry means today; `error` when it cannot be resolved (then no contracts)."""

    entry: Tracked
    contracts: tuple[Instrument, ...] = ()
    underlying: UnderlyingClose | None = None
    error: DomainError | None = None

    def series(self) -> tuple[ResolvedSeries, ...]:
        """Each contract at each of the entry's intervals."""
        return tuple(ResolvedSeries(self.entry.id, SeriesKey(Exchange(i.exchange), i.tradingsymbol, interval), i,
                                    self.entry.from_date, i.expiry)
                     for i in self.contracts for interval in self.entry.intervals)


class ResolveTracked:
    """Today's contracts of every tracked entry, or of the ids in `only` (an id not tracked: NotFound).

    Rules: a TrackedSeries is its own instrument, live or expired (an expired contract's `until` has passed:
    finished). A futures rule is every live future of its underlying; an options rule the nearest `expiries`
    expiries and, for each, the listed strike nearest the underlying's last close plus `strikes` listed strikes
    on each side, CE and PE (domain/option_chain.py). Live means in today's dump (the catalog refreshes it each
    morning) and expiring today or later. The last close is that of the last day candle Kite serves for the
    rule's price symbol over the last PRICE_LOOKBACK_DAYS days: one historical request per price symbol per call,
    shared by the rules that need it (during a session that candle is still forming, its close the current
    price). A rule that resolves to no contract gets an InvalidInput error saying which; an entry that cannot be
    resolved fails alone with its error, except AuthRequired, which stops the call (nothing else could be asked).
    """

    def __init__(self, tracked: TrackedRepository, catalog: InstrumentCatalog, source: MarketDataSource,
                 clock: Clock) -> None:
        self._tracked = tracked
        self._catalog = catalog
        self._source = source
        self._clock = clock

    def execute(self, only: Sequence[str] | None = None) -> list[Resolution]:
        tracked = self._tracked.load()
        entries = tracked.entries if only is None else tuple(tracked.get(i) for i in only)
        now = self._clock.now_ts()
        closes: dict[InstrumentRef, UnderlyingClose | DomainError] = {}
        out = []
        for entry in entries:
            try:
                out.append(self._resolve(entry, now, closes))
            except AuthRequired:
                raise
            except DomainError as error:
                out.append(Resolution(entry, error=error))
        return out

    def _resolve(self, entry: Tracked, now: int, closes: dict[InstrumentRef, UnderlyingClose | DomainError],
                 ) -> Resolution:
        if isinstance(entry, TrackedSeries):
            instrument = self._catalog.lookup(entry.exchange, entry.symbol)
            if instrument is None:
                raise NotFound(f"Symbol {entry.symbol!r} is no longer listed on {entry.exchange.value}")
            return Resolution(entry, (instrument,))
        today = ist_date(now)
        listed = self._catalog.instruments(entry.exchange)
        if entry.kind is RuleKind.FUTURES:
            futures = select_futures(contracts_of(listed, entry.underlying, FUTURE_TYPES, today))
            if not futures:
                raise entry.no_live_contract()
            return Resolution(entry, tuple(futures))
        options = contracts_of(listed, entry.underlying, OPTION_TYPES, today)
        if not options:
            raise entry.no_live_contract()
        price = closes.get(entry.price_symbol)
        if price is None:
            try:
                price = self._last_close(entry.price_symbol, now)
            except AuthRequired:
                raise
            except DomainError as error:
                price = error
            closes[entry.price_symbol] = price
        if isinstance(price, DomainError):
            raise price
        assert entry.expiries is not None and entry.strikes is not None  # an options rule has both
        return Resolution(entry, tuple(select_options(options, price.close, entry.expiries, entry.strikes)), price)

    def _last_close(self, ref: InstrumentRef, now: int) -> UnderlyingClose:
        instrument = self._catalog.lookup(ref.exchange, ref.symbol)
        if instrument is None:
            raise NotFound(f"The underlying's price symbol {ref} is not listed: name another with underlying_symbol")
        start = day_start(ist_date(now) - timedelta(days=PRICE_LOOKBACK_DAYS))
        frame = self._source.fetch_candles(instrument, Interval.DAY, start, now, with_oi=False)
        if not len(frame):
            raise UpstreamFailure(f"Kite served no day candle of {ref} in the last {PRICE_LOOKBACK_DAYS} days: the "
                                  "options around its price cannot be chosen")
        last = int(frame.ts.argmax())
        return UnderlyingClose(InstrumentRef(ref.exchange, instrument.tradingsymbol), float(frame.close[last]),
                               ist_date(int(frame.ts[last])))

