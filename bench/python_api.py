"""Python API benchmark: `kitefetch.open()` reads and resamples, beside plain pandas on the same groups.

Run: `.venv/bin/python -m bench.python_api [--runs 15]` (also in `make bench`). Candles lie on the real trading
sessions (the calendar's, Muhurat evenings and weekend sessions included) as a random walk, written once into a
scratch data dir. Each figure prints beside its baseline measured in the same invocation (medians):
- one year of minute candles into a DataFrame vs `pandas.read_hdf` of the same group (target: within 1.5x);
- 75minute bars from ten years of minute candles (target: < 0.5 s) vs read_hdf plus a pandas groupby on a
  09:15 grid (which gets the Muhurat and two-block days wrong: it is the hand-written way, not a reference);
- week bars from twenty years of day candles (target: < 20 ms) vs read_hdf plus `groupby(to_period("W"))`;
- `import kitefetch` in a new process (target: < 0.5 s) vs `import pandas`;
- the first resampled read of a process, which builds the trading calendar once.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from bench.common import table, timed
from bootstrap.logging_setup import configure_logging
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

warnings.filterwarnings("ignore")
YEAR, DECADE, DAYS = "YEAR", "DECADE", "DAYS"


def session_candles(start: date, end: date, step: int, seed: int) -> CandleFrame:
    """A random walk on every session of [start, end]: `step` seconds apart, or day candles (step 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sessions = LibraryCalendar().sessions(Exchange.NSE, start, end)
    if step:
        ts = np.concatenate([np.arange(o, c, step) for o, c in zip(sessions.opens, sessions.closes, strict=True)])
    else:
        ts = sessions.session_days() * 86_400 - 19_800
    rng = np.random.default_rng(seed)
    close = np.round(1000 * np.exp(np.cumsum(rng.normal(0, 0.0005, len(ts)))), 2)
    open_ = np.r_[close[0], close[:-1]]
    spread = np.round(np.abs(rng.normal(0, 0.3, len(ts))), 2)
    return CandleFrame(ts.astype(np.int64), open_, np.maximum(open_, close) + spread,
                       np.minimum(open_, close) - spread, close, rng.integers(0, 20_000, len(ts)))


def prepare(data_dir: Path) -> dict[str, int]:
    store = Hdf5SegmentStore(data_dir / "EQUITY.h5", Segment.EQUITY)
    series = {YEAR: session_candles(date(2024, 1, 1), date(2024, 12, 31), 60, 1),
              DECADE: session_candles(date(2015, 1, 1), date(2024, 12, 31), 60, 2),
              DAYS: session_candles(date(2005, 1, 1), date(2024, 12, 31), 0, 3)}
    for symbol, frame in series.items():
        interval = Interval.DAY if symbol == DAYS else Interval.MINUTE
        store.write(SeriesKey(Exchange.NSE, symbol, interval), frame, [(int(frame.ts[0]), int(frame.ts[-1]))])
    store.close()
    return {symbol: len(frame) for symbol, frame in series.items()}


def grid_0915(df: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """The usual hand-written 75minute bars: a 09:15 grid per day, whatever the day's sessions."""
    local = df.index.tz_localize(None)
    offset = (local - local.normalize() - pd.Timedelta("9h15min")) // pd.Timedelta(minutes=minutes)
    label = local.normalize() + pd.Timedelta("9h15min") + offset * pd.Timedelta(minutes=minutes)
    return df.groupby(label).agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})


def import_seconds(module: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", f"import time; t = time.perf_counter(); import {module}; "
                              "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True)
        samples.append(float(out.stdout))
    return statistics.median(samples)


def first_resample_seconds(data_dir: Path) -> float:
    code = (f"import time, kitefetch; s = kitefetch.open({str(data_dir)!r}); s.candles('NSE', 'DAYS', 'day'); "
            "t = time.perf_counter(); s.candles('NSE', 'DAYS', 'day', resample='week'); "
            "print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    configure_logging(production=False, level=logging.WARNING)
    import kitefetch

    with tempfile.TemporaryDirectory(prefix="kitefetch-pyapi-") as scratch:
        data_dir = Path(scratch)
        rows = prepare(data_dir)
        path = data_dir / "EQUITY.h5"
        store = kitefetch.open(data_dir)
        store.candles("NSE", DAYS, "day", resample="week")  # the calendar, built once per process
        pd.testing.assert_frame_equal(store.candles("NSE", YEAR, "minute"), pd.read_hdf(path, f"/NSE/{YEAR}/minute"))

        year = timed(lambda: store.candles("NSE", YEAR, "minute"), args.runs)
        year_pandas = timed(lambda: pd.read_hdf(path, f"/NSE/{YEAR}/minute"), args.runs)
        bars = timed(lambda: store.candles("NSE", DECADE, "minute", resample="75minute"), args.runs)
        bars_pandas = timed(lambda: grid_0915(pd.read_hdf(path, f"/NSE/{DECADE}/minute"), 75),  # type: ignore[arg-type]
                            args.runs)
        week = timed(lambda: store.candles("NSE", DAYS, "day", resample="week"), args.runs)

        def pandas_week() -> pd.DataFrame:
            df = pd.read_hdf(path, f"/NSE/{DAYS}/day")
            assert isinstance(df, pd.DataFrame)
            return df.groupby(df.index.tz_localize(None).to_period("W")).agg(
                {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})

        week_pandas = timed(pandas_week, args.runs)
        store.close()
        cold = first_resample_seconds(data_dir)
    imported = import_seconds("kitefetch", max(5, args.runs // 3))
    imported_pandas = import_seconds("pandas", max(5, args.runs // 3))

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    table(f"kitefetch Python API, medians of {args.runs} runs", ["what", "kitefetch", "baseline, same run", "ratio",
                                                                  "target"], [
        [f"one year of minute candles ({rows[YEAR]:,}) into a DataFrame", ms(year), f"read_hdf {ms(year_pandas)}",
         f"{year / year_pandas:.2f}x", "<= 1.5x read_hdf"],
        [f"75minute from ten years of minute ({rows[DECADE]:,})", ms(bars), f"read_hdf + 09:15 groupby "
         f"{ms(bars_pandas)}", f"{bars / bars_pandas:.2f}x", "< 500 ms"],
        [f"week from twenty years of day ({rows[DAYS]:,})", ms(week), f"read_hdf + groupby {ms(week_pandas)}",
         f"{week / week_pandas:.2f}x", "< 20 ms"],
        ["import kitefetch (new process)", ms(imported), f"import pandas {ms(imported_pandas)}",
         f"{imported / imported_pandas:.2f}x", "< 500 ms"],
        ["first resampled read of a process (builds the calendar)", ms(cold), "", "", ""],
    ])


if __name__ == "__main__":
    main()
