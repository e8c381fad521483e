"""`kitefetch candles`: a stored series, or bars built from it, streamed as CSV, JSON or Parquet.

To stdout by default (`| head`, `> file`), batch by batch as the store yields them: a ten-year minute series
never sits whole in memory. The same use case and writers as the API's export route.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from adapters.inbound.cli.output import EXIT_OK, EXIT_USAGE
from adapters.inbound.http.exports import csv_chunks, json_chunks, write_parquet
from application.export_candles import Export
from domain.bar_spec import BarSpec
from domain.candles import CandleFrame
from domain.date_range import EARLIEST, LATEST, DateRange
from domain.errors import InvalidInput
from domain.instrument import SeriesKey

if TYPE_CHECKING:
    from application.export_candles import ExportCandles

FORMATS = ("csv", "json", "parquet")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _counted(export: Export, seen: list[int]) -> Export:
    def batches() -> Iterator[CandleFrame]:
        for batch in export.batches:
            seen[0] += len(batch)
            yield batch

    return Export(export.key, export.rows, export.with_oi, batches(), export.resample)


def write_candles(use_case: ExportCandles, args: argparse.Namespace) -> int:
    key = SeriesKey.parse(args.exchange, args.symbol, args.interval)
    start, end = _day(args.from_date), _day(args.to_date)
    date_range = None if start is None and end is None else DateRange(start or EARLIEST, end or LATEST)
    resample = BarSpec.parse(args.resample) if args.resample else None
    if args.format == "parquet" and args.output is None and sys.stdout.isatty():
        print("error (validation): parquet is binary: write it to a file with -o FILE, or pipe it", file=sys.stderr)
        return EXIT_USAGE
    seen = [0]
    export = _counted(use_case.execute(key, date_range, resample=resample), seen)
    try:
        _write(export, args.format, args.output)
    except BrokenPipeError:  # `| head` stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    if args.output is not None:
        what = f"{resample} bars" if resample is not None else f"{key.interval.value} candles"
        print(f"{export.key}: {seen[0]:,} {what} written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _write(export: Export, fmt: str, output: str | None) -> None:
    if fmt == "parquet":
        if output is None:
            write_parquet(export, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as out:
                write_parquet(export, out)
        return
    chunks = csv_chunks(export) if fmt == "csv" else json_chunks(export)
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    with open(output, "w", encoding="utf-8", newline="") as text:
        for chunk in chunks:
            text.write(chunk)
