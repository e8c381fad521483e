"""Shared bench helpers: realistic candles, medians, a table printer, peak RSS."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from domain.candles import CandleFrame

IST_0915_2015_01_01 = 1420083900


def minute_candles(n: int, seed: int = 1, start_ts: int = IST_0915_2015_01_01) -> CandleFrame:
    """A random walk on a tick grid, 375 candles a session day, like the minute bars we store."""
    rng = np.random.default_rng(seed)
    day, minute = np.divmod(np.arange(n), 375)
    ts = start_ts + day * 86_400 + minute * 60
    close = np.round(1000 * np.exp(np.cumsum(rng.normal(0, 0.0005, n))) / 0.05) * 0.05
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) + np.round(np.abs(rng.normal(0, 0.3, n)) / 0.05) * 0.05
    low = np.minimum(open_, close) - np.round(np.abs(rng.normal(0, 0.3, n)) / 0.05) * 0.05
    return CandleFrame.from_columns({"ts": ts, "open": np.round(open_, 2), "high": np.round(high, 2),
                                     "low": np.round(low, 2), "close": np.round(close, 2),
                                     "volume": rng.integers(0, 20_000, n)})


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median wall seconds over `runs` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  " + "  ".join(str(x).rjust(w) for x, w in zip(row, widths, strict=True)))


def frame_to_pandas(frame: CandleFrame) -> pd.DataFrame:
    index = pd.DatetimeIndex(frame.ts.astype("datetime64[s]"), name="timestamp").tz_localize("UTC")
    columns = {c: getattr(frame, c) for c in ("open", "high", "low", "close", "volume")}
    return pd.DataFrame(columns, index=index.tz_convert("Asia/Kolkata"))
