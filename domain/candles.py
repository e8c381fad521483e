"""A columnar block of candles: numpy arrays, because a million Python candle objects would be the bottleneck."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PRICE_COLUMNS = ("open", "high", "low", "close")


@dataclass(frozen=True, slots=True)
class CandleFrame:
    """Candles ordered as given; `ts` is epoch seconds of the candle start; `oi` only for derivatives."""

    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    oi: np.ndarray | None = None

    @classmethod
    def empty(cls, with_oi: bool = False) -> CandleFrame:
        f = np.empty(0, dtype=np.float64)
        i = np.empty(0, dtype=np.int64)
        return cls(i, f, f, f, f, i, i if with_oi else None)

    @classmethod
    def from_columns(cls, columns: dict[str, np.ndarray]) -> CandleFrame:
        oi = columns.get("oi")
        o, h, low, c = (np.asarray(columns[name], dtype=np.float64) for name in PRICE_COLUMNS)
        return cls(np.asarray(columns["ts"], dtype=np.int64), o, h, low, c,
                   np.asarray(columns["volume"], dtype=np.int64),
                   None if oi is None else np.asarray(oi, dtype=np.int64))

    @property
    def with_oi(self) -> bool:
        return self.oi is not None

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def columns(self) -> dict[str, np.ndarray]:
        cols = {"ts": self.ts, "open": self.open, "high": self.high, "low": self.low,
                "close": self.close, "volume": self.volume}
        if self.oi is not None:
            cols["oi"] = self.oi
        return cols

    def take(self, index: np.ndarray | slice) -> CandleFrame:
        """Rows selected by a boolean mask, an index array or a slice."""
        return CandleFrame._of(tuple(None if c is None else c[index] for c in self._tuple()))

    @staticmethod
    def _of(columns: tuple[np.ndarray | None, ...]) -> CandleFrame:
        ts, o, h, low, c, volume, oi = columns
        assert ts is not None and o is not None and h is not None and low is not None and c is not None
        assert volume is not None
        return CandleFrame(ts, o, h, low, c, volume, oi)

    def with_open_interest(self, with_oi: bool) -> CandleFrame:
        """The same candles with an oi column added (zeros) or dropped, to match a store's schema."""
        if with_oi == self.with_oi:
            return self
        oi = np.zeros(len(self), dtype=np.int64) if with_oi else None
        return CandleFrame(self.ts, self.open, self.high, self.low, self.close, self.volume, oi)

    def between(self, start_ts: int, end_ts: int) -> CandleFrame:
        """Candles whose start lies in [start_ts, end_ts]; assumes sorted ts."""
        lo = int(np.searchsorted(self.ts, start_ts, side="left"))
        hi = int(np.searchsorted(self.ts, end_ts, side="right"))
        return self.take(slice(lo, hi))

    def _tuple(self) -> tuple[np.ndarray | None, ...]:
        return (self.ts, self.open, self.high, self.low, self.close, self.volume, self.oi)

    @staticmethod
    def concat(frames: list[CandleFrame], with_oi: bool) -> CandleFrame:
        frames = [f.with_open_interest(with_oi) for f in frames if len(f)]
        if not frames:
            return CandleFrame.empty(with_oi)
        if len(frames) == 1:
            return frames[0]
        parts = list(zip(*(f._tuple() for f in frames), strict=True))
        return CandleFrame._of(tuple(None if p[0] is None else np.concatenate(p) for p in parts))

    def is_sorted_unique(self) -> bool:
        return bool(len(self) < 2 or np.all(np.diff(self.ts) > 0))

    def sorted_unique(self) -> CandleFrame:
        """Sorted by time; of candles sharing a timestamp the last one wins (the newest fetch)."""
        if self.is_sorted_unique():
            return self
        rev_ts = self.ts[::-1]
        _, first_in_rev = np.unique(rev_ts, return_index=True)
        keep = len(self) - 1 - first_in_rev
        return self.take(keep)


def merge_frames(existing: CandleFrame, incoming: CandleFrame, replace_from: int | None = None,
                 replace_to: int | None = None) -> tuple[CandleFrame, int]:
    """Merge `incoming` into `existing`; existing candles win unless they fall in the replace window.

    Returns the merged frame and how many incoming candles were written.
    """
    with_oi = existing.with_oi or incoming.with_oi
    existing = existing.with_open_interest(with_oi)
    incoming = incoming.with_open_interest(with_oi).sorted_unique()
    if replace_from is not None and replace_to is not None and len(existing):
        outside = (existing.ts < replace_from) | (existing.ts > replace_to)
        existing = existing.take(outside)
    if len(existing):
        fresh = ~np.isin(incoming.ts, existing.ts, assume_unique=True)
        incoming = incoming.take(fresh)
    written = len(incoming)
    merged = CandleFrame.concat([existing, incoming], with_oi)
    if written and len(existing):
        order = np.argsort(merged.ts, kind="stable")
        merged = merged.take(order)
    return merged, written
