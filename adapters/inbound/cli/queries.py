"""The commands that read what is already here: stored ranges, gaps and candles, the databases, the instrument
cache, what is tracked.

Apart from the fetching commands (commands.py) so that running one imports neither marshmallow nor the fetch
use cases: `kitefetch range` answers in ~0.16 s (bench/cli_start.py), over use cases composed without the
container (bootstrap/queries.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Protocol

from adapters.inbound.cli.output import EXIT_OK, emit
from adapters.inbound.presenters import (
    adjustments_body,
    database_body,
    gaps_body,
    instrument_body,
    range_body,
    tracked_body,
)
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.market import Exchange, Segment

if TYPE_CHECKING:
    from application.describe_database import DescribeDatabase
    from application.export_candles import ExportCandles
    from application.find_gaps import FindGaps
    from application.get_existing_range import GetExistingRange
    from application.get_instruments import GetInstruments
    from application.list_adjustments import ListAdjustments
    from application.list_tracked import ListTracked
    from application.lookup_instrument import LookupInstrument


class Queries(Protocol):
    """What these commands need: the container's factories, or bootstrap's lighter composition of the same."""

    def get_instruments(self) -> GetInstruments: ...
    def lookup_instrument(self) -> LookupInstrument: ...
    def get_existing_range(self) -> GetExistingRange: ...
    def describe_database(self) -> DescribeDatabase: ...
    def list_adjustments(self) -> ListAdjustments: ...
    def export_candles(self) -> ExportCandles: ...
    def find_gaps(self) -> FindGaps: ...
    def list_tracked(self) -> ListTracked: ...


Query = Callable[[Queries, argparse.Namespace], int]


def instruments(container: Queries, args: argparse.Namespace) -> int:
    exchange = Exchange.parse(args.exchange)
    listed = container.get_instruments().execute(exchange, force_refresh=args.refresh, limit=args.limit)
    body = {"success": True, "exchange": exchange.value, "count": len(listed),
            "instruments": [instrument_body(i) for i in listed]}
    human = "\n".join(f"{i.instrument_token:>10} {i.tradingsymbol:<28} {i.instrument_type:<4} "
                      f"{i.expiry.isoformat() if i.expiry else '':<10} {i.name}" for i in listed)
    emit(body, args.json, f"{human}\n{len(listed)} instruments on {exchange.value}" if listed else "no instruments")
    return EXIT_OK


def lookup(container: Queries, args: argparse.Namespace) -> int:
    instrument = container.lookup_instrument().execute(Exchange.parse(args.exchange), args.symbol)
    body = {"success": True, "exchange": instrument.exchange, "symbol": instrument.tradingsymbol,
            "instrument_token": instrument.instrument_token, "expired": instrument.expired}
    emit(body, args.json, f"{instrument.exchange}:{instrument.tradingsymbol} -> {instrument.instrument_token}")
    return EXIT_OK


def existing_range(container: Queries, args: argparse.Namespace) -> int:
    key = SeriesKey.parse(args.exchange, args.symbol, args.interval)
    info = container.get_existing_range().execute(key)
    body = range_body(key, info)
    shown = info.key if info is not None else key  # the stored spelling, as lookups and fetches print Kite's
    human = (f"{shown}: {body['start_date']} to {body['end_date']} ({body['rows']} candles)"
             if body["start_date"] else f"{key}: no existing data")
    emit(body, args.json, human)
    return EXIT_OK


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{flag} {text!r} is not a date (YYYY-MM-DD)") from None


def gaps(container: Queries, args: argparse.Namespace) -> int:
    key = SeriesKey.parse(args.exchange, args.symbol, args.interval)
    body = gaps_body(container.find_gaps().execute(key, _day(args.from_date, "--from"), _day(args.to_date, "--to")))
    lines = [f"{body['exchange']}:{body['symbol']}:{body['interval']} {body['from_date']} to {body['to_date']}: "
             f"{body['sessions_with_candles']} of {body['sessions_expected']} session days hold candles"
             + (" (sessions estimated beyond the calendar's sources)" if body["estimated"] else "")]
    if body["never_fetched"]:
        lines.append("never fetched: " + ", ".join(a if a == b else f"{a} to {b}" for a, b in body["never_fetched"]))
    if body["fetched_empty"]:
        lines.append("fetched, no candles: " + ", ".join(body["fetched_empty"]))
    if body["partial"]:
        lines.append("partial: " + ", ".join(f"{p['date']} ({p['candles']} of {p['expected']})"
                                             for p in body["partial"]))
    if body["out_of_session"]:
        lines.append("held back, candles outside every known session: "
                     + ", ".join(f"{d['date']} ({d['candles']})" for d in body["out_of_session"]))
    if len(lines) == 1:
        lines.append("no gaps")
    emit(body, args.json, "\n".join(lines))
    return EXIT_OK


def db_info(container: Queries, args: argparse.Namespace) -> int:
    """The file and its series, or a page of them (`--offset`, `--limit`), as GET /api/data/database-info."""
    offset, limit = args.offset, args.limit
    body = database_body(container.describe_database().execute(Segment.parse(args.segment)), offset, limit)
    shown = len(body["datasets"])
    page = (f", {offset + 1}-{offset + shown} shown" if shown else ", none shown") if "limit" in body else ""
    lines = [f"{body['segment']}: {body['file_path']} ({'exists' if body['exists'] else 'missing'}, "
             f"{body['size_mb']} MB, {body['total_datasets']} series{page})"]
    lines += [f"  {d['exchange']}:{d['symbol']} {d['interval']}: {d['start_date']} to {d['end_date']}, "
              f"{d['rows']} rows" for d in body["datasets"]]
    emit(body, args.json, "\n".join(lines))
    return EXIT_OK


def adjustments(container: Queries, args: argparse.Namespace) -> int:
    stored = container.list_adjustments().execute(Exchange.parse(args.exchange), args.symbol)
    body = adjustments_body(stored)
    lines = [f"{stored.exchange.value}:{stored.symbol}: "
             + (f"{len(body['events'])} change(s) Kite made to the past" if body["events"] else "nothing changed")]
    for e in body["events"]:
        what = (f"corporate action, ex-date {e['ex_date']}, factor {e['factor']:g}" if e["kind"] == "corporate_action"
                else "revised candles")
        lines.append(f"  {e['detected_at'][:16].replace('T', ' ')} {what}: {e['status']}, {e['candles_replaced']} "
                     f"candles replaced, {e['requests']} requests; {', '.join(e['series'])}"
                     + (f" (still stale: {', '.join(e['pending'])})" if e["pending"] else ""))
    emit(body, args.json, "\n".join(lines))
    return EXIT_OK


def candles(container: Queries, args: argparse.Namespace) -> int:
    from adapters.inbound.cli.candle_output import write_candles

    return write_candles(container.export_candles(), args)


def tracked_line(body: dict) -> str:
    """One tracked entry (as the API's body has it) in a line: id, what, intervals, from when."""
    start = f"from {body['from_date']}" if body["from_date"] else "from each contract's first candle"
    intervals = ", ".join(body["intervals"])
    if body["rule"] is None:
        return f"{body['id']}  {body['exchange']}:{body['symbol']}  {intervals}  {start}"
    what = f"{body['rule']} of {body['exchange']} {body['underlying']}"
    if body["rule"] == "options":
        expiries = f"{body['expiries']} nearest expir{'y' if body['expiries'] == 1 else 'ies'}"
        what += (f" ({expiries}, {body['strikes']} strikes each side of "
                 f"{body['underlying_symbol']}'s last close, CE and PE)")
    return f"{body['id']}  {what}  {intervals}  {start}"


def tracked(container: Queries, args: argparse.Namespace) -> int:
    page = container.list_tracked().execute()
    bodies = [tracked_body(e) for e in page.entries]
    human = "\n".join(tracked_line(b) for b in bodies) if bodies else "nothing is tracked"
    emit({"success": True, "tracked": bodies}, args.json, human)
    return EXIT_OK


QUERIES: dict[str, Query] = {
    "candles": candles,
    "instruments": instruments,
    "lookup": lookup,
    "range": existing_range,
    "db-info": db_info,
    "adjustments": adjustments,
    "gaps": gaps,
    "tracked": tracked,
}
