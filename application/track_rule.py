"""TrackRule: keep an option chain or an underlying's futures current, chosen anew from each day's dump."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.ports import Clock, InstrumentCatalog, TrackedRepository
from application.track_series import new_id
from application.tracked import RuleKind, TrackedRule
from domain.clock_time import ist_date
from domain.errors import NotFound
from domain.interval import Interval
from domain.market import Exchange
from domain.option_chain import FUTURE_TYPES, OPTION_TYPES, InstrumentRef, contracts_of, price_source


@dataclass(frozen=True, slots=True)
class TrackRuleRequest:
    kind: RuleKind
    exchange: Exchange
    underlying: str
    intervals: tuple[Interval, ...]
    expiries: int | None = None
    strikes: int | None = None
    underlying_symbol: InstrumentRef | None = None
    from_date: date | None = None


class TrackRule:
    """Rules: checked against today's dump before anything is saved. An underlying with no live contract at all on
    the exchange is NotFound, unless it is listed itself (its index, or the stock on NSE for NFO, BSE for BFO):
    then it merely has no derivatives, and the rule resolves to no live contract (InvalidInput naming it), as does
    one whose live contracts include none of the rule's kind (options: CE/PE, futures: FUT). An options rule's
    price symbol (the index, the stock, or `underlying_symbol`) must be listed, else NotFound. No price is asked
    for here: which strikes are at the money is each day's resolution (ResolveTracked). A second rule of the same
    kind for the same underlying at a shared interval is a Conflict."""

    def __init__(self, tracked: TrackedRepository, catalog: InstrumentCatalog, clock: Clock) -> None:
        self._tracked = tracked
        self._catalog = catalog
        self._clock = clock

    def execute(self, request: TrackRuleRequest) -> TrackedRule:
        now = self._clock.now_ts()
        rule = TrackedRule(new_id(), request.kind, request.exchange, request.underlying, request.intervals,
                           request.expiries, request.strikes, request.underlying_symbol, request.from_date, now)
        listed = self._catalog.instruments(rule.exchange)
        today = ist_date(now)
        types = OPTION_TYPES if rule.kind is RuleKind.OPTIONS else FUTURE_TYPES
        if not contracts_of(listed, rule.underlying, types, today):
            itself = price_source(rule.exchange, rule.underlying)
            if not contracts_of(listed, rule.underlying, FUTURE_TYPES + OPTION_TYPES, today) and not self._listed(
                    itself):
                raise NotFound(f"Underlying {rule.underlying!r} is not listed: no contract of it on "
                               f"{rule.exchange.value}, and no instrument {itself}")
            raise rule.no_live_contract()
        if rule.kind is RuleKind.OPTIONS and not self._listed(rule.price_symbol):
            raise NotFound(f"The price of {rule.underlying} comes from {rule.price_symbol}, which is not listed: name "
                           "the instrument to use with underlying_symbol (e.g. NSE:NIFTY 50)")
        self._tracked.update(lambda tracked: tracked.add(rule))
        return rule

    def _listed(self, ref: InstrumentRef) -> bool:
        return self._catalog.lookup(ref.exchange, ref.symbol) is not None
