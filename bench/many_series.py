"""Many-series benchmark: "what do I have?" and a sync's plan over 50,000 small series (issue 13, part 4).

Run: `.venv/bin/python -m bench.many_series [--series 50000] [--runs 5] [--data DIR]` (also in `make bench`).
Option capture makes tens of thousands of series: NIFTY alone, two expiries x 21 strikes x CE/PE, adds ~4,000 a
year. The scratch data dir holds DERIVATIVES.h5 with `--series` NFO option series of 375 minute candles with OI
(one session: the last one the calendar knows before the bench's fixed "now"), Kite's NFO instrument dump listing
them all as live contracts, and a tenth of them tracked. Building it writes every series through the store
(non-durable, to save minutes: the figures below are reads); `--data DIR` keeps it for the next run.

Every figure is a median over `--runs` new processes ("cold": nothing cached in memory; the time counted starts
after the imports and the app's construction, which `bench.cli_start` measures), beside its baseline measured in
the same invocation:
- database-info, all datasets and the first page of 50, vs describing the file by walking its groups (how every
  kitefetch answered before the catalog, and how it still answers for a file no kitefetch has written since);
- existing-range of one series, the first call of a process and then warm;
- the dashboard's first page and GET /api/data/tracked's first page;
- planning a sync of every series, all up to date: no request may be sent (Kite is a stub that fails the run);
- file size per series vs pandas HDFStore's fixed format (`put`) of the same candles.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.common import minute_candles, table

warnings.filterwarnings("ignore")
EXPIRY_DAYS = 30
NOW_AFTER_CLOSE = 16 * 3600 + 30 * 60  # "now": 16:30 IST on the candles' session day
TARGETS = {"dbinfo": 0.200, "range": 0.002, "dashboard": 0.300, "tracked": 0.300, "sync": 5.0}


def symbol(i: int) -> str:
    """An NFO-like option contract: 21 strikes a side of a few underlyings, each a distinct tradingsymbol."""
    strike, kind = divmod(i, 2)
    return f"BENCH{strike // 500:03d}{26_000 + 50 * (strike % 500)}{'CE' if kind else 'PE'}"


def session_day() -> date:
    """The last full NSE session before today, by the real calendar: the bench's "now" is its evening."""
    from adapters.outbound.calendar.library_calendar import LibraryCalendar
    from domain.market import Exchange

    calendar = LibraryCalendar()
    day = date.today() - timedelta(days=1)
    while len(calendar.sessions_on(Exchange.NSE, day)) != 1:
        day -= timedelta(days=1)
    return day


def candles(day: date) -> Any:
    from domain.candles import CandleFrame
    from domain.clock_time import day_start

    frame = minute_candles(375, seed=7, start_ts=day_start(day) + 9 * 3600 + 15 * 60)
    columns = {c: getattr(frame, c) for c in ("ts", "open", "high", "low", "close", "volume")}
    columns["oi"] = np.arange(375, dtype=np.int64) * 75 + 1_000_000
    return CandleFrame.from_columns(columns)


def build(data_dir: Path, n: int) -> dict[str, Any]:
    """The scratch data dir (see the module docstring); returns what the measurements need to know of it."""
    from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
    from adapters.outbound.instruments import listing_file
    from adapters.outbound.tracked_file import TrackedFile
    from application.tracked import TrackedList, TrackedSeries
    from domain.clock_time import day_end, day_start
    from domain.instrument import Instrument, SeriesKey
    from domain.interval import Interval
    from domain.market import Exchange, Segment

    marker = data_dir / "bench-many-series.json"
    if marker.exists():
        known = json.loads(marker.read_text())
        if known["series"] == n:
            return known
        raise SystemExit(f"{data_dir} holds {known['series']} series, not {n}: use another --data")
    day = session_day()
    frame = candles(day)
    covered = [(day_start(day), day_end(day))]
    store = Hdf5SegmentStore(data_dir / "DERIVATIVES.h5", Segment.DERIVATIVES, durable=False)
    started = time.perf_counter()
    for i in range(n):
        store.write(SeriesKey(Exchange.NFO, symbol(i), Interval.MINUTE), frame, covered)
        if (i + 1) % 5000 == 0:
            print(f"  built {i + 1:,} series in {time.perf_counter() - started:.0f} s", flush=True)
    store.close()
    now = day_start(day) + NOW_AFTER_CLOSE
    expiry = day + timedelta(days=EXPIRY_DAYS)
    instruments = [Instrument(10_000_000 + i, 40_000 + i, symbol(i), f"BENCH{i // 1000:03d}", 0.0, expiry,
                              26_000.0 + 50 * (i // 2 % 500), 0.05, 75, "CE" if i % 2 else "PE", "NFO-OPT", "NFO")
                   for i in range(n)]
    listing = listing_file.Listing(now, instruments, {i.tradingsymbol: i for i in instruments})
    listing_file.save(listing_file.path_of(data_dir / "instruments", Exchange.NFO), listing, durable=False)
    tracked = tuple(TrackedSeries(f"t{i:06d}", Exchange.NFO, symbol(i), (Interval.MINUTE,), day, now)
                    for i in range(0, n, 10))
    TrackedFile(data_dir / "tracked.json", durable=False).update(lambda _: TrackedList(tracked))
    known = {"series": n, "day": day.isoformat(), "now": now, "tracked": len(tracked), "built_seconds":
             round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(known))
    return known


# --- one measurement, in a new process -------------------------------------------------------------------------

class _FixedClock:
    def __init__(self, now: int) -> None:
        self._now = now

    def now_ts(self) -> int:
        return self._now


class _NoKite:
    """Kite for the sync plan: any call fails the run, so "0 requests" is checked, not assumed."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the plan asked Kite: {name}")


def child(data_dir: Path, what: str, now: int) -> dict[str, float]:
    from dependency_injector import providers

    from bootstrap.app import create_app
    from bootstrap.container import build_container
    from bootstrap.runtime import tune_gc
    from bootstrap.settings import Settings

    settings = Settings(data_dir=data_dir, durable=False, min_free_mb=0)
    container = build_container(settings)
    container.clock.override(providers.Object(_FixedClock(now)))
    container.market_data.override(providers.Object(_NoKite()))
    app = create_app(settings, container, log_level=logging.WARNING)
    tune_gc()  # as `kitefetch serve` does in each worker once the app is built
    client = app.test_client()

    def get(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        return elapsed

    key = f"NFO/{symbol(1234)}/minute"
    if what == "dbinfo":
        return {"seconds": get("/api/data/database-info/DERIVATIVES")}
    if what == "dbinfo_page":
        return {"seconds": get("/api/data/database-info/DERIVATIVES?offset=0&limit=50")}
    if what == "walk":
        from adapters.outbound.hdf5 import catalog, metadata
        from adapters.outbound.hdf5.readonly import ReadOnlyFile
        from domain.instrument import SeriesKey

        store = container.derivatives_store()
        started = time.perf_counter()
        with ReadOnlyFile(store.path) as handle:  # the describe every kitefetch did before the catalog
            count = 0
            for path, meta in catalog.walk(handle.h5, [e.value for e in store.segment.exchanges]):
                exchange, name, interval = path.decode().strip("/").split("/")
                count += metadata.decode(SeriesKey.parse(exchange, "X", interval), meta) is not None
        return {"seconds": time.perf_counter() - started, "count": count}
    if what == "range":
        first = get(f"/api/data/existing-range/{key}")
        return {"seconds": first, "warm": statistics.median(get(f"/api/data/existing-range/{key}")
                                                            for _ in range(200))}
    if what == "dashboard":
        return {"seconds": get("/")}
    if what == "tracked":
        return {"seconds": get("/api/data/tracked?page=1")}
    if what == "sync":
        for old in (data_dir / "jobs").glob("*.json"):  # the previous run's: one sync job stays, as after a day
            old.unlink()
        use_case = container.sync_series()
        started = time.perf_counter()
        result = use_case.execute()
        elapsed = time.perf_counter() - started
        job = result.job
        assert not job.items, f"{len(job.items)} series planned for fetching; all should be up to date"
        return {"seconds": elapsed, "up_to_date": len(result.up_to_date)}
    raise SystemExit(f"unknown measurement {what}")


def cold(data_dir: Path, what: str, now: int, runs: int) -> dict[str, float]:
    """Medians of `runs` new processes."""
    samples: list[dict[str, float]] = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-m", "bench.many_series", "--child", what, "--data", str(data_dir),
                              "--now", str(now)], capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"{what} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


# --- file size ---------------------------------------------------------------------------------------------------

def sizes(n: int) -> tuple[float, float]:
    """Bytes per series for `n` series: ours, and pandas HDFStore's fixed format (`put`) of the same candles."""
    from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
    from domain.clock_time import day_end, day_start
    from domain.instrument import SeriesKey
    from domain.interval import Interval
    from domain.market import Exchange, Segment

    day = date(2026, 1, 5)
    frame = candles(day)
    index = pd.DatetimeIndex(frame.ts.astype("datetime64[s]"), name="timestamp").tz_localize("UTC")
    df = pd.DataFrame({c: getattr(frame, c) for c in ("open", "high", "low", "close", "volume", "oi")},
                      index=index.tz_convert("Asia/Kolkata"))
    with tempfile.TemporaryDirectory(prefix="kitefetch-sizes-") as scratch:
        ours = Path(scratch) / "DERIVATIVES.h5"
        store = Hdf5SegmentStore(ours, Segment.DERIVATIVES, durable=False)
        for i in range(n):
            store.write(SeriesKey(Exchange.NFO, symbol(i), Interval.MINUTE), frame,
                        [(day_start(day), day_end(day))])
        store.close()
        theirs = Path(scratch) / "hdfstore.h5"
        with pd.HDFStore(theirs, mode="w") as hdf:
            for i in range(n):
                hdf.put(f"/NFO/{symbol(i)}/minute", df)
        return ours.stat().st_size / n, theirs.stat().st_size / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, help="the scratch data dir, kept for the next run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--now", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.data, args.child, args.now)))
        return

    scratch = None if args.data else tempfile.TemporaryDirectory(prefix="kitefetch-many-")
    data_dir = args.data or Path(scratch.name)  # type: ignore[union-attr]
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"data dir {data_dir}: building {args.series:,} series (once)...", flush=True)
    known = build(data_dir, args.series)
    now, n, runs = known["now"], known["series"], args.runs
    file_bytes = (data_dir / "DERIVATIVES.h5").stat().st_size
    m = {what: cold(data_dir, what, now, runs)
         for what in ("sync", "dbinfo", "dbinfo_page", "walk", "range", "dashboard", "tracked")}
    ours_small, pandas_small = sizes(1_000)

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms"

    def verdict(seconds: float, target: float) -> str:
        return f"< {ms(target)} " + ("met" if seconds < target else "MISSED")

    walk = m["walk"]["seconds"]
    table(f"{n:,} series of 375 minute candles with OI in DERIVATIVES.h5 ({file_bytes / 2**20:,.0f} MB; "
          f"{known['tracked']:,} tracked), medians of {runs} new processes",
          ["what", "kitefetch", "baseline, same run", "target"], [
              ["database-info, all datasets (cold)", ms(m["dbinfo"]["seconds"]), f"walking the groups {ms(walk)}",
               verdict(m["dbinfo"]["seconds"], TARGETS["dbinfo"])],
              ["database-info, first 50 (cold)", ms(m["dbinfo_page"]["seconds"]), f"walking the groups {ms(walk)}",
               verdict(m["dbinfo_page"]["seconds"], TARGETS["dbinfo"])],
              ["existing-range, first call", ms(m["range"]["seconds"]), "", verdict(m["range"]["seconds"],
                                                                                     TARGETS["range"])],
              ["existing-range, warm", ms(m["range"]["warm"]), "", verdict(m["range"]["warm"], TARGETS["range"])],
              ["dashboard, first page (cold)", ms(m["dashboard"]["seconds"]), "",
               verdict(m["dashboard"]["seconds"], TARGETS["dashboard"])],
              ["GET /api/data/tracked, first page (cold)", ms(m["tracked"]["seconds"]), "",
               verdict(m["tracked"]["seconds"], TARGETS["tracked"])],
              [f"plan a sync of {n:,} up-to-date series, 0 requests ({m['sync']['up_to_date']:,.0f} up to date)",
               ms(m["sync"]["seconds"]), "",
               verdict(m["sync"]["seconds"], TARGETS["sync"])],
              ["file size per series (1,000 series)", f"{ours_small / 1024:.1f} KB",
               f"HDFStore fixed {pandas_small / 1024:.1f} KB", f"<= 1.1x: {ours_small / pandas_small:.2f}x"],
              [f"file size per series ({n:,} series)", f"{file_bytes / n / 1024:.1f} KB", "", ""],
          ])
    print(f"\nbuilt in {known['built_seconds']} s (non-durable writes); session day {known['day']}; "
          f"run at {datetime.now().isoformat(timespec='seconds')}")
    if scratch is not None:
        scratch.cleanup()


if __name__ == "__main__":
    main()
