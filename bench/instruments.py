"""Instrument cache benchmark: NFO dump body -> cache, warm start, lookups; beside the stock client's parser.

Run: `make bench` (or `.venv/bin/python -m bench.instruments`). Bodies come from the sandbox at its default
size (~21k NFO rows) and at real size (`--universe-scale 5`, ~98k rows). "Load" is the whole refresh the API
does: parse the CSV, merge with known contracts (marking vanished ones expired), index, persist to disk.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import tempfile
import time
from pathlib import Path

import requests
from kiteconnect import KiteConnect

from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.instruments_csv import parse_instruments
from adapters.outbound.system_clock import SystemClock
from bench.common import table, timed
from bootstrap.logging_setup import configure_logging
from bootstrap.runtime import tune_gc
from domain.market import Exchange
from kite_sandbox import SandboxConfig, start_sandbox


class BodySource:
    """A MarketDataSource stand-in that serves one recorded HTTP body and counts calls."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls = 0

    def fetch_instruments(self, exchange: Exchange):
        self.calls += 1
        return parse_instruments(self.body)


def measure(body: bytes, runs: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="kitefetch-instruments-"))
    source = BodySource(body)
    cache = InstrumentCache(source, root, SystemClock())
    load = timed(lambda: cache.instruments(Exchange.NFO, force_refresh=True), runs)
    symbols = [i.tradingsymbol for i in cache.instruments(Exchange.NFO)]
    calls = source.calls

    def warm() -> None:
        assert InstrumentCache(source, root, SystemClock()).lookup(Exchange.NFO, symbols[0]) is not None

    warm_start = timed(warm, runs)
    assert source.calls == calls, "a warm start must read the persisted cache, not Kite"
    picks = [random.choice(symbols) for _ in range(100_000)]
    started = time.perf_counter()
    for symbol in picks:
        cache.lookup(Exchange.NFO, symbol)
    lookup_us = (time.perf_counter() - started) / len(picks) * 1e6
    stock_client = KiteConnect("bench")

    def stock() -> None:
        rows = stock_client._parse_instruments(body)
        {row["tradingsymbol"]: row for row in rows}

    stock_load = timed(stock, max(1, runs // 2))
    shutil.rmtree(root, ignore_errors=True)
    return {"rows": len(symbols), "load": load, "warm": warm_start, "lookup_us": lookup_us, "stock": stock_load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bodies = {}
    for scale in (1, 5):
        with start_sandbox(SandboxConfig(port=0, universe_scale=scale)) as sandbox:
            bodies[scale] = requests.get(f"{sandbox.url}/instruments/NFO", timeout=120).content
    configure_logging(production=False, level=logging.WARNING)
    tune_gc()
    rows = []
    for scale, body in bodies.items():
        m = measure(body, args.runs)
        rows.append([f"NFO x{scale} ({len(body) / 1e6:.1f} MB)", f"{m['rows']:,}", f"{m['load'] * 1000:.0f} ms",
                     f"{m['warm'] * 1000:.0f} ms", f"{m['lookup_us']:.2f} us", f"{m['stock'] * 1000:.0f} ms",
                     f"{m['stock'] / m['load']:.1f}x"])
    table(f"Instruments, medians of {args.runs} (targets: load < 300 ms, lookup < 20 us)",
          ["dump", "rows", "load+persist", "warm start", "lookup", "stock parse+index", "vs stock"], rows)


if __name__ == "__main__":
    main()
