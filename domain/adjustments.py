"""The ledger of what Kite changed in candles kitefetch already held, and the marks it leaves on a series.

Kite back-adjusts all earlier candles for corporate actions and revises single candles, and never says so
(see domain/revisions.py for how a change is told). Each change found is one event, kept with the instrument:
a revision is healed by the very write that stores Kite's new candles; a corporate action leaves every stored
series of the instrument stale (a StaleMark: candles before a boundary are Kite's old values) until that
series' history is downloaded again and swapped in, which settles the series. The event is `healed` once no
series is pending. Times are epoch seconds; `ex_date` an IST day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum


class ChangeKind(StrEnum):
    CORPORATE_ACTION = "corporate_action"
    REVISION = "revision"


class ChangeStatus(StrEnum):
    HEALED = "healed"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change Kite made to the past. `series` are the series it touched ("NSE:RELIANCE:day"), `pending` those
    still holding Kite's old candles; `candles_replaced` and `requests` add up what healing rewrote and cost."""

    id: str
    kind: ChangeKind
    detected_at: int
    series: tuple[str, ...]
    pending: tuple[str, ...] = ()
    ex_date: date | None = None
    factor: float | None = None
    candles_replaced: int = 0
    requests: int = 0

    @classmethod
    def corporate_action(cls, event_id: str, detected_at: int, ex_date: date, factor: float,
                         series: tuple[str, ...]) -> Adjustment:
        """Found, not yet healed: every series of the instrument is pending."""
        return cls(event_id, ChangeKind.CORPORATE_ACTION, detected_at, series, series, ex_date, factor)

    @classmethod
    def revision(cls, event_id: str, detected_at: int, series: str, candles_replaced: int) -> Adjustment:
        """Found and healed at once: the write that stores Kite's new candles records it."""
        return cls(event_id, ChangeKind.REVISION, detected_at, (series,), (), None, None, candles_replaced, 0)

    @property
    def status(self) -> ChangeStatus:
        return ChangeStatus.STALE if self.pending else ChangeStatus.HEALED

    def settle(self, series: str, candles_replaced: int, requests: int) -> Adjustment:
        """`series` holds Kite's current history again: it leaves `pending` and its counts add up. Settling a series
        that is not pending (healed already, by another writer) changes nothing."""
        if series not in self.pending:
            return self
        return replace(self, pending=tuple(s for s in self.pending if s != series),
                       candles_replaced=self.candles_replaced + candles_replaced, requests=self.requests + requests)


@dataclass(frozen=True, slots=True)
class StaleMark:
    """A series' candles before `before_ts` are Kite's old values, to be downloaded again for `events` (ids).
    Persisted with the series, so a heal cut short by a crash or a Kite failure is resumed by the next fetch."""

    before_ts: int
    events: tuple[str, ...]

    @staticmethod
    def adding(mark: StaleMark | None, before_ts: int, event: str) -> StaleMark:
        """`mark` (None: no mark yet) with one more change pending: heal up to the later boundary, for every event."""
        if mark is None:
            return StaleMark(before_ts, (event,))
        events = mark.events if event in mark.events else (*mark.events, event)
        return StaleMark(max(mark.before_ts, before_ts), events)

    def without(self, events: tuple[str, ...]) -> StaleMark | None:
        """The mark once `events` are settled; None when none is left."""
        left = tuple(e for e in self.events if e not in events)
        return StaleMark(self.before_ts, left) if left else None


@dataclass(frozen=True, slots=True)
class Settlement:
    """A series' stale history replaced by Kite's current one, committed with that very write: the series is
    settled for each of `events`. `at` is when (epoch seconds), shown as "healed" beside the series."""

    events: tuple[str, ...]
    candles_replaced: int
    requests: int
    at: int
