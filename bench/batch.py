"""Rate-limit efficiency: a batch through kitefetch beside the sequential stock approach, same sandbox.

Run: `make bench` (or `.venv/bin/python -m bench.batch [--symbols 6] [--runs 3]`). The sandbox runs as its own
process at Kite's 3 historical requests/second, with Kite-like response cost (25 ms per 1,000 candles: a
60-day minute response takes ~0.5 s). The batch fetches a year of minute candles per symbol (7 requests
each, the minimum at 60 days per request). Floor: R/3 seconds. Baseline: one request at a time through
`historical_data()` + `pandas.DataFrame`, sleeping to keep 3/s, which is how most scripts do it.
kitefetch runs as it ships (durable: every commit, fetch-log line and cache file fsynced) and, in the same
rounds, with KITEFETCH_DURABLE=0, to show what the fsyncs cost a rate-limited fetch.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import requests
from kiteconnect import KiteConnect

from application.batch_fetch import BatchFetch
from application.fetch_request import FetchRequest
from bench.common import peak_rss_mb, table
from bootstrap.container import build_container
from bootstrap.logging_setup import configure_logging
from bootstrap.runtime import tune_gc
from bootstrap.settings import Settings
from domain.coverage import Coverage
from domain.date_range import DateRange
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.planner import minimal_request_count, plan_fetch

SYMBOLS = ["RELIANCE", "INFY", "TCS", "M&M", "BAJAJ-AUTO", "HDFCBANK", "ICICIBANK", "SBIN", "ITC", "LT"]


def start_sandbox(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(Path(sys.executable).with_name("kitefetch")), "sandbox", "--port", str(port),
                             "--cost-ms-per-1000-candles", "25", "--rate-limit", "3"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/__sandbox/stats", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("sandbox did not start")


def stats(url: str) -> dict:
    return requests.get(f"{url}/__sandbox/stats", timeout=5).json()


def run_kitefetch(url: str, data_dir: Path, items: list[FetchRequest], durable: bool = True) -> dict:
    settings = Settings(kite_api_key="sandbox", kite_api_secret="sandbox-secret", kite_access_token="sandbox-token",
                        kite_api_root=url, data_dir=data_dir, durable=durable)
    container = build_container(settings)
    container.catalog().instruments(Exchange.NSE)  # warm the instrument cache outside the timing
    requests.post(f"{url}/__sandbox/reset", timeout=5)
    started = time.perf_counter()
    result = BatchFetch(container.fetch_history(), workers=settings.batch_workers).execute(items)
    elapsed = time.perf_counter() - started
    s = stats(url)
    assert result.failed == 0, [r for r in result.results if not hasattr(r, "records")]
    return {"elapsed": elapsed, "requests": sum(r.requests for r in result.results), "throttled": s["throttled"],
            "historical": s["routes"]["historical"], "max_per_second": s["max_admitted_per_second"],
            "records": sum(r.records for r in result.results)}


def run_stock(url: str, tokens: list[int], chunks: list[tuple[datetime, datetime]]) -> dict:
    kite = KiteConnect("sandbox", access_token="sandbox-token", root=url)
    requests.post(f"{url}/__sandbox/reset", timeout=5)
    started = time.perf_counter()
    last_start = 0.0
    rows = 0
    for token in tokens:
        for start, end in chunks:
            wait = last_start + 1 / 3 + 0.02 - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            last_start = time.perf_counter()
            rows += len(pd.DataFrame(kite.historical_data(token, start, end, "minute")))
    return {"elapsed": time.perf_counter() - started, "requests": len(tokens) * len(chunks),
            "throttled": stats(url)["throttled"], "records": rows}


def _seconds(runs: list[dict]) -> str:
    return ", ".join(f"{r['elapsed']:.2f}" for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--symbols", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    sandbox = start_sandbox(args.port)
    configure_logging(production=False, level=logging.WARNING)
    tune_gc()
    try:
        span = DateRange(date(2024, 1, 1), date(2024, 12, 31))
        symbols = SYMBOLS[: args.symbols]
        items = [FetchRequest(Segment.EQUITY, s, span, Interval.MINUTE) for s in symbols]
        minimal = minimal_request_count([(span.start_ts, span.end_ts)], Interval.MINUTE) * len(symbols)
        planned = len(plan_fetch((span.start_ts, span.end_ts), Coverage(), Interval.MINUTE)) * len(symbols)
        runs: dict[bool, list[dict]] = {True: [], False: []}
        for run in range(args.runs):
            for durable in (True, False) if run % 2 == 0 else (False, True):  # alternate which goes first
                data_dir = Path(tempfile.mkdtemp(prefix="kitefetch-batch-"))
                runs[durable].append(run_kitefetch(url, data_dir, items, durable))
                rerun = run_kitefetch(url, data_dir, items, durable)
                assert rerun["requests"] == 0 and rerun["historical"] == 0, rerun
                shutil.rmtree(data_dir, ignore_errors=True)
                print(f"  kitefetch run{'' if durable else ' (no fsync)'}: {runs[durable][-1]['elapsed']:.2f} s, "
                      f"{runs[durable][-1]['throttled']} x 429", flush=True)
        ours = runs[True]
        listed = KiteConnect("sandbox", access_token="sandbox-token", root=url).instruments("NSE")
        tokens = [next(i["instrument_token"] for i in listed if i["tradingsymbol"] == s) for s in symbols]
        chunks = []
        cursor = span.start
        while cursor <= span.end:
            last = min(span.end, cursor + timedelta(days=59))
            chunks.append((datetime.combine(cursor, datetime.min.time()),
                           datetime.combine(last, datetime.max.time()).replace(microsecond=0)))
            cursor = last + timedelta(days=1)
        stock = []
        for _ in range(args.baseline_runs):
            stock.append(run_stock(url, tokens, chunks))
            print(f"  stock run: {stock[-1]['elapsed']:.2f} s", flush=True)
    finally:
        sandbox.terminate()
        sandbox.wait()
    r = ours[0]["requests"]
    floor = r / 3
    ours_s = statistics.median(o["elapsed"] for o in ours)
    no_fsync_s = statistics.median(o["elapsed"] for o in runs[False])
    stock_s = statistics.median(s["elapsed"] for s in stock)
    table(f"Batch: {len(symbols)} symbols x 1 year of minute candles, sandbox at 3 req/s with Kite-like response "
          f"cost; medians ({args.runs} kitefetch runs, {args.baseline_runs} baseline)",
          ["", "requests", "seconds", "x floor (R/3)", "429s", "candles"],
          [["kitefetch batch", r, f"{ours_s:.2f}", f"{ours_s / floor:.3f}", max(o["throttled"] for o in ours),
            f"{ours[0]['records']:,}"],
           ["  the same, no fsync", runs[False][0]["requests"], f"{no_fsync_s:.2f}", f"{no_fsync_s / floor:.3f}",
            max(o["throttled"] for o in runs[False]), f"{runs[False][0]['records']:,}"],
           ["stock, sequential", stock[0]["requests"], f"{stock_s:.2f}", f"{stock_s / floor:.3f}",
            max(s["throttled"] for s in stock), f"{stock[0]['records']:,}"]])
    print(f"  floor R/3 = {floor:.2f} s; target <= 1.10 x floor + 1 s = {1.1 * floor + 1:.2f} s; "
          f"speed-up over the stock approach: {stock_s / ours_s:.1f}x; fsync cost: {ours_s - no_fsync_s:+.2f} s "
          f"(runs: {_seconds(ours)} durable; {_seconds(runs[False])} without)")
    print(f"  plan: {planned} requests, minimal {minimal}; up-to-date re-run: 0 requests (checked each run); "
          f"highest admitted in one second: {max(o['max_per_second'] for o in ours)}; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
