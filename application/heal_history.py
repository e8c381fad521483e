"""HealHistory: put Kite's current history in place of stored candles Kite has changed since (domain/revisions.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import structlog

from application.chunk_requests import fetch_chunks
from application.ports import CandleStore, Clock, MarketDataSource, TradingCalendar
from domain.adjustments import Adjustment, Settlement
from domain.candles import CandleFrame
from domain.clock_time import ist_date
from domain.coverage import Span
from domain.errors import AuthRequired, DomainError
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange
from domain.planner import split_span
from domain.provisional import provisional_from
from domain.revisions import Change, CorporateActionFound
from domain.validation import DayCount, validate_candles

log = structlog.get_logger(__name__)
_PROVISIONAL_WINDOW = timedelta(days=30)  # no candle older than this can still be provisional


def provisional_marker(calendar: TradingCalendar, exchange: Exchange, interval: Interval, ts: np.ndarray,
                       now: int) -> int | None:
    """The first of `ts` (sorted) Kite may still change at `now` (domain/provisional.py); None when all are final."""
    today = ist_date(now)
    if len(ts) == 0 or ist_date(int(ts[-1])) < today - _PROVISIONAL_WINDOW:
        return None
    sessions = calendar.sessions(exchange, today - _PROVISIONAL_WINDOW, today + _PROVISIONAL_WINDOW)
    return provisional_from(ts, interval, now, sessions)


@dataclass(frozen=True, slots=True)
class Answer:
    """Kite's candles for [start_ts, end_ts] of a series, validated: `served` those in [start_ts, fresh_from), which
    the store holds already, and `fresh` the rest; `covered` is what storing `fresh` marks fetched,
    `provisional_from` its first provisional candle."""

    start_ts: int
    fresh_from: int
    end_ts: int
    served: CandleFrame
    fresh: CandleFrame
    covered: list[Span]
    provisional_from: int | None
    held_back: tuple[DayCount, ...] = ()


@dataclass(slots=True)
class HealReport:
    """`records`: new candles stored on the way (the finding request's fresh ones); `requests`: extra requests."""

    records: int = 0
    requests: int = 0
    events: list[Adjustment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, other: HealReport) -> None:
        self.records += other.records
        self.requests += other.requests
        self.events += [e for e in other.events if e.id not in {known.id for known in self.events}]
        self.warnings += other.warnings


class HealHistory:
    """Rules: a revision is healed at once: the request that found it brought Kite's new candles, stored over the
    old ones together with the ledger event in one write. A corporate action first records its event and marks
    every stored series of the instrument (all intervals) stale before a boundary (the ex-date; when no unchanged
    candle bounds it, the end of what the finding request asked for), in one write. Then each series' stored
    history before the boundary is downloaded again (its covered spans, cut into the fewest requests; for the
    series that found it, only what that request did not bring back) and swapped in by one replacing write that
    also settles the series in the ledger: readers see the old series or the new one, never a mix. A heal cut
    short (Kite fails, the process dies) leaves the old candles and the stale mark, and the next fetch of the
    series, or a verify, heals it first. The series being fetched must heal or the fetch fails; the others of
    the instrument that fail are reported as warnings and stay stale.
    """

    def __init__(self, source: MarketDataSource, calendar: TradingCalendar, clock: Clock,
                 concurrency: int = 1) -> None:
        self._source = source
        self._calendar = calendar
        self._clock = clock
        self._concurrency = max(1, concurrency)

    def found(self, change: Change, instrument: Instrument, key: SeriesKey, store: CandleStore,
              answer: Answer) -> HealReport:
        """Store `answer` (whose `served` candles differ from the stored ones as `change` says) and heal."""
        now = self._clock.now_ts()
        if not isinstance(change, CorporateActionFound):
            event = Adjustment.revision(secrets.token_hex(6), now, str(key), change.changed)
            span = (answer.start_ts, answer.end_ts)
            before = store.count(key, *span)
            written = store.write(key, CandleFrame.concat([answer.served, answer.fresh], key.segment.has_open_interest),
                                  answer.covered, replace=span, held_back=answer.held_back,
                                  provisional_from=answer.provisional_from, record=event)
            log.warning("revision_found", series=str(key), candles=change.changed)
            return HealReport(records=written - before, events=[event])
        boundary = change.ex_ts if change.exact else answer.end_ts + 1
        ex_date = change.ex_date
        held = store.info(key)
        unseen = answer.fresh.ts[answer.fresh.ts > held.last_ts] if held and held.last_ts else answer.fresh.ts
        if not change.exact and len(unseen):  # the earliest it can be: the first day the store never held
            ex_date = max(ex_date, ist_date(int(unseen[0])))
        stored = store.instrument(key.exchange, key.symbol)
        keys = [key, *(s.key for s in (stored.series if stored else ()) if s.key != key)]
        event = Adjustment.corporate_action(secrets.token_hex(6), now, ex_date, change.factor,
                                            tuple(str(k) for k in keys))
        store.mark_stale(keys, boundary, event)
        log.warning("corporate_action_found", series=str(key), ex_date=ex_date.isoformat(),
                    factor=change.factor, exact=change.exact, series_stale=len(keys))
        report = self._heal(instrument, store, key, answer)
        report.add(self._heal_all(instrument, store, keys[1:]))
        report.events = self._events(store, key, [event.id])
        return report

    def resume(self, instrument: Instrument, store: CandleStore, key: SeriesKey) -> HealReport:
        """Heal every stale series of `key`'s instrument, `key` first: its failure raises, the others' are
        warnings."""
        stored = store.instrument(key.exchange, key.symbol)
        stale = [s for s in (stored.series if stored else ()) if s.stale is not None]
        report = HealReport()
        if any(s.key == key for s in stale):
            report.add(self._heal(instrument, store, key, None))
        report.add(self._heal_all(instrument, store, [s.key for s in stale if s.key != key]))
        report.events = self._events(store, key, [e for s in stale if s.stale for e in s.stale.events])
        return report

    def _heal_all(self, instrument: Instrument, store: CandleStore, keys: Iterable[SeriesKey]) -> HealReport:
        report = HealReport()
        for key in keys:
            try:
                report.add(self._heal(instrument, store, key, None))
            except AuthRequired:
                raise
            except DomainError as error:
                log.warning("heal_failed", series=str(key), error_type=error.error_type, error=error.message)
                report.warnings.append(f"{key} stays stale (the next fetch of it heals it): {error.message}")
        return report

    def _heal(self, instrument: Instrument, store: CandleStore, key: SeriesKey, answer: Answer | None) -> HealReport:
        """Download the series' history before its stale boundary again (before `answer`'s request, which brought
        the rest) and swap it in with one write."""
        info = store.info(key)
        if info is None or info.stale is None:
            return HealReport()
        mark = info.stale
        until = answer.start_ts if answer is not None else mark.before_ts
        history, requests = self.download(instrument, key, info.coverage.before(until).spans)
        replaced = store.count(key, None, mark.before_ts - 1)
        now = self._clock.now_ts()
        end = mark.before_ts - 1
        parts, covered, held_back = [history], list[Span](), tuple[DayCount, ...]()
        marks = [provisional_marker(self._calendar, key.exchange, key.interval, history.ts, now)]
        if answer is not None:
            parts += [answer.served, answer.fresh]
            covered, end, held_back = answer.covered, max(end, answer.end_ts), answer.held_back
            marks.append(answer.provisional_from)
        before = store.count(key, None, end)
        provisional = min((m for m in marks if m is not None), default=None)
        written = store.write(key, CandleFrame.concat(parts, key.segment.has_open_interest), covered,
                              replace=(0, end), held_back=held_back, provisional_from=provisional,
                              settles=Settlement(mark.events, replaced, requests, now))
        log.info("series_healed", series=str(key), candles_replaced=replaced, requests=requests)
        return HealReport(records=written - before if answer is not None else 0, requests=requests)

    def download(self, instrument: Instrument, key: SeriesKey, spans: Iterable[Span]) -> tuple[CandleFrame, int]:
        """The validated candles of `spans` as Kite serves them now, and how many requests that took."""
        with_oi = key.segment.has_open_interest
        chunks = [chunk for a, b in spans for chunk in split_span(a, b, key.interval)]
        if not chunks:
            return CandleFrame.empty(with_oi), 0
        sessions = self._calendar.sessions(key.exchange, ist_date(chunks[0].start_ts), ist_date(chunks[-1].end_ts))
        chunks = [c for c in chunks if sessions.holds_candles(c.start_ts, c.end_ts, key.interval.is_intraday)]
        frames = []
        for chunk, frame in fetch_chunks(self._source, instrument, key.interval, with_oi, chunks, self._concurrency):
            inside = (frame.ts >= chunk.start_ts) & (frame.ts <= chunk.end_ts)
            frames.append(validate_candles(frame.take(inside), key.segment, key.interval, sessions).valid)
        return CandleFrame.concat(frames, with_oi), len(chunks)

    @staticmethod
    def _events(store: CandleStore, key: SeriesKey, ids: list[str]) -> list[Adjustment]:
        stored = store.instrument(key.exchange, key.symbol)
        return [e for e in (stored.events if stored else ()) if e.id in ids]
