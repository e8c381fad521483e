"""Ingest benchmark: Kite historical response bodies -> validated columns, ours beside the stock client's path.

Run: `make bench` (or `.venv/bin/python -m bench.ingest [--runs 5]`). Bodies come from the sandbox over HTTP
(minute, 5minute and day responses at Kite's maximum spans); both paths then run on the same bytes, on one
thread. Ours: orjson decode (as KiteMarketData's response hook does), columnar parse, validation. Stock:
`json` decode (what requests' `r.json()` does), `KiteConnect._format_historical` (one dict and one dateutil
parse per candle), then `pandas.DataFrame`, which is what `historical_data()` users do next.
"""

from __future__ import annotations

import argparse
import json
from datetime import date

import orjson
import pandas as pd
import requests
from kiteconnect import KiteConnect

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.kite.candle_parser import parse_candles
from bench.common import table, timed
from bootstrap.runtime import tune_gc
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.validation import validate_candles
from kite_sandbox import SandboxConfig, start_sandbox

REQUESTS = [
    ("minute", "2024-01-01 00:00:00", "2024-02-29 23:59:59"),
    ("minute", "2024-03-01 00:00:00", "2024-04-29 23:59:59"),
    ("5minute", "2024-01-01 00:00:00", "2024-04-09 23:59:59"),
    ("day", "2019-01-01 00:00:00", "2024-06-21 23:59:59"),
]


def fetch_bodies() -> list[tuple[str, bytes]]:
    with start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, rate_limit=100)) as sandbox:
        bodies = []
        for interval, start, end in REQUESTS:
            response = requests.get(f"{sandbox.url}/instruments/historical/738561/{interval}",
                                    params={"from": start, "to": end},
                                    headers={"Authorization": "token sandbox:sandbox-token"}, timeout=60)
            response.raise_for_status()
            bodies.append((interval, response.content))
        return bodies


def ours(bodies: list[tuple[str, bytes]], calendar: LibraryCalendar) -> int:
    total = 0
    sessions = calendar.sessions(Exchange.NSE, date(2019, 1, 1), date(2024, 6, 21))
    for interval, body in bodies:
        frame = parse_candles(orjson.loads(body)["data"]["candles"], with_oi=False)
        total += len(validate_candles(frame, Segment.EQUITY, Interval(interval), sessions).valid)
    return total


def stock(bodies: list[tuple[str, bytes]]) -> int:
    client = KiteConnect("bench")
    total = 0
    for _, body in bodies:
        records = client._format_historical(json.loads(body)["data"])
        total += len(pd.DataFrame(records))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stock-runs", type=int, default=3)
    args = parser.parse_args()
    bodies = fetch_bodies()
    tune_gc()  # as `kitefetch serve` and the CLI run; applies to both paths alike
    candles = sum(len(orjson.loads(b)["data"]["candles"]) for _, b in bodies)
    megabytes = sum(len(b) for _, b in bodies) / 1e6
    calendar = LibraryCalendar()
    assert ours(bodies, calendar) == stock(bodies) == candles  # also builds the calendar, once per process
    ours_seconds = timed(lambda: ours(bodies, calendar), args.runs)
    stock_seconds = timed(lambda: stock(bodies), args.stock_runs)
    table(f"Ingest: {candles:,} candles in {len(bodies)} bodies ({megabytes:.1f} MB), one thread, medians",
          ["path", "seconds", "candles/s", "ratio"],
          [["kitefetch (orjson + columns + validation)", f"{ours_seconds:.3f}", f"{candles / ours_seconds:,.0f}",
            f"{stock_seconds / ours_seconds:.0f}x"],
           ["stock (historical_data + DataFrame)", f"{stock_seconds:.3f}", f"{candles / stock_seconds:,.0f}",
            "1x"]])


if __name__ == "__main__":
    main()
