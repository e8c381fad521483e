"""The collaborators use cases need, as Protocols: one for the broker, one for storage, a few small ones."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, Protocol

from application.fetch_record import FetchRecord
from application.job import Job, JobOrigin, JobStatus
from application.tracked import TrackedList
from domain.adjustments import Adjustment, Settlement, StaleMark
from domain.candles import CandleFrame
from domain.coverage import Coverage, Span
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.sessions import Session, SessionTable
from domain.validation import DayCount


@dataclass(frozen=True, slots=True)
class BrokerSession:
    """A Kite login: what the login yields and what the token store keeps. `access_token` is a secret: never
    log or return it."""

    access_token: str
    user_id: str
    user_name: str
    login_time: str

    def __repr__(self) -> str:
        return f"BrokerSession(user_id={self.user_id!r}, user_name={self.user_name!r}, access_token=***)"


class MarketDataSource(Protocol):
    """Kite: candles, the instrument dump, and the login handshake."""

    def fetch_candles(self, instrument: Instrument, interval: Interval, start_ts: int, end_ts: int,
                      with_oi: bool) -> CandleFrame:
        """Candles whose start time lies in [start_ts, end_ts] (inclusive; epoch seconds), as served.

        The span must fit `interval.max_span_days`. Raises AuthRequired when the token is missing or
        rejected, UpstreamFailure when Kite keeps failing, InvalidInput when Kite calls the request bad.
        The frame is not validated: that is the caller's rule to apply.
        """
        ...

    def fetch_instruments(self, exchange: Exchange) -> list[Instrument]:
        """Today's dump for one exchange (live contracts only)."""
        ...

    def login_url(self) -> str:
        ...

    def create_session(self, request_token: str) -> BrokerSession:
        """Exchange a one-time request token for an access token. Raises AuthRequired if Kite refuses."""
        ...

    def invalidate_session(self, access_token: str) -> None:
        ...

    def profile(self, access_token: str) -> dict[str, Any]:
        """The user's profile; raises AuthRequired if the token is no longer valid."""
        ...


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """What the store knows about a series without reading its candles. `stale`: Kite changed candles before a
    boundary (a corporate action) and the series still holds the old ones; `provisional_from`: the first candle
    Kite may still change (a day's close before the next morning); `healed_at`: when Kite's changes to the past
    were last swapped in (epoch seconds)."""

    key: SeriesKey
    rows: int
    first_ts: int | None
    last_ts: int | None
    coverage: Coverage
    held_back: tuple[DayCount, ...] = ()  # (IST day, candles) Kite served where no known session explains them
    stale: StaleMark | None = None
    provisional_from: int | None = None
    healed_at: int | None = None


@dataclass(frozen=True, slots=True)
class StoredInstrument:
    """Every stored series of one (exchange, symbol) and the ledger of what Kite changed in them, oldest first."""

    exchange: Exchange
    symbol: str
    series: tuple[SeriesInfo, ...]
    events: tuple[Adjustment, ...]


class SeriesSummary(NamedTuple):
    """A series as a listing shows it (database-info, the dashboard): SeriesInfo without its coverage and marks'
    details, cheap enough to make 50,000 of at once. `stale_before`: the stale mark's boundary (epoch seconds)."""

    exchange: Exchange
    symbol: str
    interval: Interval
    rows: int
    first_ts: int | None
    last_ts: int | None
    stale_before: int | None
    healed_at: int | None
    provisional_from: int | None

    @classmethod
    def of(cls, info: SeriesInfo) -> SeriesSummary:
        key = info.key
        return cls(key.exchange, key.symbol, key.interval, info.rows, info.first_ts, info.last_ts,
                   info.stale.before_ts if info.stale else None, info.healed_at, info.provisional_from)


Summarize = Callable[[int, int | None], Sequence[SeriesSummary]]  # (offset, limit) -> the summaries of that page


@dataclass(frozen=True, slots=True)
class StoreDescription:
    """A segment database's contents. `series` may be lazy (the HDF5 store decodes an entry when it is first
    read, so counting 50,000 series or showing a page of them decodes no more than that page); `exchanges` are
    those with at least one series, which a store that knows them without walking `series` fills in."""

    segment: Segment
    file_path: str
    exists: bool
    size_bytes: int
    series: Sequence[SeriesInfo]
    exchanges: tuple[Exchange, ...] | None = None
    summarize: Summarize | None = None  # the store's own faster way to `summaries`, if it has one

    def summaries(self, offset: int = 0, limit: int | None = None) -> Sequence[SeriesSummary]:
        """The series from `offset`, at most `limit` of them (all by default), as listings show them."""
        if self.summarize is not None:
            return self.summarize(offset, limit)
        shown = self.series[offset:] if limit is None else self.series[offset:offset + limit]
        return [SeriesSummary.of(s) for s in shown]

    def stored_exchanges(self) -> tuple[Exchange, ...]:
        """Those with a series, in the segment's order."""
        if self.exchanges is not None:
            return self.exchanges
        present = {s.key.exchange for s in self.series}
        return tuple(e for e in self.segment.exchanges if e in present)


class CandleStore(Protocol):
    """One segment's database (EQUITY.h5 or DERIVATIVES.h5)."""

    def info(self, key: SeriesKey) -> SeriesInfo | None:
        """Metadata of a stored series in O(1); None when the series was never written."""
        ...

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span], replace: Span | None = None,
              held_back: Sequence[DayCount] = (), provisional_from: int | None = None,
              record: Adjustment | None = None, settles: Settlement | None = None) -> int:
        """Merge candles into the series and mark `covered` as fetched, atomically.

        Candles already stored win over incoming ones with the same timestamp, except inside `replace`
        (inclusive epoch seconds), where stored candles are dropped first. Returns candles added.
        `candles` must already be validated, sorted and unique. `held_back` (IST day, candles) are days whose
        candles were rejected because no session the calendar knows explains them: kept in the series'
        metadata (`SeriesInfo.held_back`, a day's newest count) until a write whose `covered` takes in the whole
        day (domain.coverage.held_back_after). A write of nothing but coverage creates the series, empty.
        `provisional_from` is the first of `candles` Kite may still change: the series' marker becomes the earlier
        of it and the marker stored, unless `replace` holds the stored one (those candles were just replaced).
        `record` appends an event to the instrument's ledger; `settles` settles this series for the events it
        names (their stale mark goes, the events' counts add up, `healed_at` is set). All of it commits together
        or not at all.
        """
        ...

    def mark_stale(self, keys: Sequence[SeriesKey], before_ts: int, event: Adjustment) -> None:
        """Append `event` to the ledger of the keys' instrument and mark each stored series among `keys` stale
        before `before_ts` (epoch seconds) for it, in one atomic step; a mark already there is merged (the later
        boundary, both events). The keys name one exchange and symbol; a key never written is skipped."""
        ...

    def instrument(self, exchange: Exchange, symbol: str) -> StoredInstrument | None:
        """Every stored series of (exchange, symbol), symbol exactly as stored, and its ledger (oldest event
        first), from metadata only; None when no series of it is stored."""
        ...

    def read(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> CandleFrame:
        """Stored candles with start time in [start_ts, end_ts] (inclusive); empty if none."""
        ...

    def count(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> int:
        """How many stored candles start in [start_ts, end_ts], without reading them."""
        ...

    def candles_per_day(self, key: SeriesKey, start: date, end: date) -> tuple[DayCount, ...]:
        """(IST day, stored candles starting on it) for each day in [start, end] (inclusive) holding any, in
        order; () for a series never written. Reads the timestamps only (HDF5, ten years of minute candles,
        930,000 rows: 5 ms from a fresh handle)."""
        ...

    def iter_range(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None,
                   batch_rows: int = 65_536) -> Iterator[CandleFrame]:
        """The candles of `read(key, start_ts, end_ts)` in batches of at most `batch_rows`, so a long series can
        be streamed in bounded memory."""
        ...

    def describe(self) -> StoreDescription:
        ...


class InstrumentCatalog(Protocol):
    """Instruments from a cache Kite refreshes daily; keeps contracts Kite no longer lists."""

    def instruments(self, exchange: Exchange, force_refresh: bool = False) -> Sequence[Instrument]:
        ...

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        """The instrument with this tradingsymbol (live or expired); None when unknown."""
        ...

    def futures(self, exchange: Exchange, underlying: str) -> Sequence[Instrument]:
        """Every futures contract of `underlying` (the dump's `name`: NIFTY, M&M) seen on the exchange, live and
        expired, in expiry order; () when none."""
        ...


class FetchLog(Protocol):
    """The last fetches, for the dashboard and the API: what was fetched, how much, how long, how it ended."""

    def record(self, entry: FetchRecord) -> None:
        """Best effort: an entry the disk refuses is logged and dropped, and never changes the fetch's outcome."""
        ...

    def recent(self, limit: int = 50) -> list[FetchRecord]:
        """The last `limit` (at most a few hundred are kept) fetches, newest first; an unreadable entry is skipped."""
        ...


class JobRepository(Protocol):
    """Where background jobs live, so their progress survives a restart (JSON files under the data dir)."""

    def save(self, job: Job) -> None:
        ...

    def load(self, job_id: str) -> Job | None:
        ...

    def update(self, job_id: str, change: Callable[[Job | None], Job]) -> Job:
        """Load, change and save as one step no other process interleaves with (a cancel from another worker
        must neither be lost under a progress save nor reopen a job that just finished); `change` may raise."""
        ...

    def status_of(self, job_id: str) -> JobStatus | None:
        """The stored job's status without reading its items (a runner asks every quarter second whether another
        process cancelled it); None when there is no such job."""
        ...

    def revision(self, job_id: str) -> Hashable | None:
        """A token that changes whenever the job is saved, learnt without reading the job (a file's metadata): a
        follower of a 50,000-item job (19 MB of JSON) compares two before reading it again. None when there is no
        such job."""
        ...

    def save_progress(self, job: Job, merge: Callable[[JobStatus | None], None]) -> None:
        """Write a runner's copy over the stored job, after `merge(stored status)` has taken in what another
        process may have changed since (only the status changes under a running job: a cancel), as one step no
        other process interleaves with; the stored items are not read (a 50,000-item job is 19 MB of JSON)."""
        ...

    def all(self) -> list[Job]:
        """Every job, newest first (reads every one: for tools and tests; prefer the two below)."""
        ...

    def recent(self, limit: int = 50) -> list[Job]:
        """The `limit` jobs changed last, newest created first, reading no other job."""
        ...

    def with_status(self, statuses: Collection[JobStatus]) -> list[Job]:
        """The jobs in one of `statuses`, newest first, without reading the others whole."""
        ...

    def newest(self, origins: Collection[JobOrigin]) -> Job | None:
        """The job of one of `origins` written last (a sync, however many batches ran since), reading no other
        job whole; None when there is none."""
        ...


class TrackedRepository(Protocol):
    """What the user asked to keep current (one JSON file under the data dir), shared by every process."""

    def load(self) -> TrackedList:
        """Everything tracked, in the order added; empty when nothing is, or when the file is damaged (logged)."""
        ...

    def update(self, change: Callable[[TrackedList], TrackedList]) -> TrackedList:
        """Load, change and save as one step no other process interleaves with (two adds of the same series
        from two processes: one is a Conflict); `change` may raise, and then nothing is saved."""
        ...


class TradingCalendar(Protocol):
    """When an exchange trades: regular sessions, special and Muhurat ones, minus closures (IST days).

    Any date is answered: where the calendar's sources have no data the weekday rule (regular hours, minus
    the closures it knows) answers, with each session marked `estimated`. Never raises for a date.
    """

    def sessions(self, exchange: Exchange, start: date, end: date) -> SessionTable:
        """Every session whose day lies in [start, end] (inclusive), ordered by open; empty when none. Cheap
        (a slice of arrays built once per process): validation asks it for every fetched chunk."""
        ...

    def sessions_on(self, exchange: Exchange, day: date) -> tuple[Session, ...]:
        """The day's sessions in order (two for a day with a break); () on a closed day."""
        ...

    def in_session(self, exchange: Exchange, ts: int) -> bool:
        """Whether epoch second `ts` lies in a session (open inclusive, close exclusive)."""
        ...


class SlotClaims(Protocol):
    """Which scheduled sync slots some process has taken on (files under the data dir, shared by every process)."""

    def claim(self, slot: int) -> bool:
        """True for exactly one caller per slot (epoch seconds) across processes and restarts; False after."""
        ...


class Clock(Protocol):
    def now_ts(self) -> int:
        """Epoch seconds now."""
        ...


class DiskSpace(Protocol):
    """The file system that holds the data dir (`directory`, as the user named it)."""

    directory: str

    def free_bytes(self) -> int:
        """Bytes kitefetch may still write there now (what `df` shows as available, not the reserved blocks); for
        a data dir not created yet, those of the directory it will be created in."""
        ...


class TokenStore(Protocol):
    """Where the access token lives between processes (a 0600 file under the data dir)."""

    def load(self) -> BrokerSession | None:
        ...

    def save(self, token: BrokerSession) -> None:
        ...

    def clear(self) -> None:
        ...

