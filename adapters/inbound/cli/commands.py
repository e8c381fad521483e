"""Admin commands over the same use cases the API calls: the ones that fetch or log in (queries.py: the others)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlparse

from adapters.inbound.cli.output import EXIT_FAILURE, EXIT_OK, emit, progress
from adapters.inbound.cli.queries import Queries
from adapters.inbound.cli.sync import SyncUseCases, sync
from adapters.inbound.cli.tracking import TrackingUseCases, track, track_futures, track_options, untrack
from adapters.inbound.fetch_requests import batch_items
from adapters.inbound.presenters import batch_body, error_body, fetch_body, verify_body
from adapters.inbound.schemas import TODAY, today_ist
from application.batch_fetch import BatchFetch, BatchItem, ItemFailure
from application.fetch_history import FetchHistory, FetchResult
from application.fetch_request import FetchRequest
from application.login import Login
from application.ports import CandleStore
from application.verify_history import VerifyHistory, VerifyResult, stored_instruments
from domain.date_range import DateRange
from domain.errors import AuthRequired, DomainError, InvalidInput, NotFound
from domain.interval import Interval
from domain.market import Exchange, Segment


class UseCases(Queries, TrackingUseCases, SyncUseCases, Protocol):
    """What every command needs; the dependency-injector container provides exactly these factories."""

    fetch_history: Callable[[], FetchHistory]
    batch_fetch: Callable[[], BatchFetch]
    login: Callable[[], Login]
    verify_history: Callable[[], VerifyHistory]
    stores: Callable[[], Mapping[Segment, CandleStore]]


Handler = Callable[[UseCases, argparse.Namespace], int]


def _date(text: str) -> date:
    if text.strip().lower() == TODAY:  # the IST day: a fetch stops at the last completed candle anyway
        return today_ist()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD or today)") from None


def _fetch_request(args: argparse.Namespace, segment: Segment) -> FetchRequest:
    return FetchRequest(
        segment=segment,
        symbol=args.symbol,
        exchange=Exchange.parse(args.exchange) if args.exchange else None,
        date_range=DateRange(_date(args.from_date), _date(args.to_date)),
        interval=Interval.parse(args.interval),
        validate=not args.no_validate,
        overwrite=args.overwrite,
        incremental=not args.full,
    )


def _fetch_line(r: FetchResult) -> str:
    line = (f"{r.exchange.value}:{r.symbol} {r.interval.value} {r.date_range}: {r.records} new candles, "
            f"{r.rejected} rejected, {r.requests} requests, {r.elapsed_seconds:.2f} s")
    if r.out_of_session:
        days = ", ".join(f"{d.isoformat()} ({n})" for d, n in r.out_of_session)
        line += f"; outside every known session: {days}"
    line = f"{line} ({r.message})" if r.message else line
    for event in r.adjustments:
        line += "\n  " + _change_line(event.kind.value, event.ex_date, event.factor, event.status.value,
                                      event.candles_replaced, event.requests)
    return line + "".join(f"\n  warning: {w}" for w in r.warnings)


def _change_line(kind: str, ex_date: date | None, factor: float | None, status: str, replaced: int,
                 requests: int) -> str:
    what = (f"Kite adjusted the past: corporate action, ex-date {ex_date}, factor {factor:g}"
            if kind == "corporate_action" and ex_date and factor else "Kite revised stored candles")
    return f"{what}: {status} ({replaced} candles replaced, {requests} extra requests)"


def fetch(container: UseCases, args: argparse.Namespace) -> int:
    segment = Segment.EQUITY if args.kind == "equity" else Segment.DERIVATIVES
    request = _fetch_request(args, segment)
    bar = progress(0, request.symbol, not args.json)
    with bar:
        def on_chunk(done: int, total: int, records: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        result = container.fetch_history().execute(request, on_chunk=on_chunk)
    emit(fetch_body(result), args.json, _fetch_line(result))
    return EXIT_OK


def _batch_items(path: Path) -> list[BatchItem]:
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise InvalidInput(f"Cannot read batch file {str(path)!r}: {error}") from None
    return batch_items(payload)


def batch(container: UseCases, args: argparse.Namespace) -> int:
    items = _batch_items(Path(args.file))
    bar = progress(len(items), "batch", not args.json)
    with bar:
        def on_progress(_index: int, _outcome: object) -> None:
            bar.update(1)

        result = container.batch_fetch().execute(items, on_progress=on_progress)
    lines = []
    for outcome in result.results:
        if isinstance(outcome, ItemFailure):
            lines.append(f"FAILED {outcome.symbol}: {outcome.error.message}")
        else:
            lines.append(_fetch_line(outcome))
    lines.append(f"{result.successful}/{result.total} succeeded ({result.success_rate}%)")
    emit(batch_body(result), args.json, "\n".join(lines))
    return EXIT_OK if result.failed == 0 else EXIT_FAILURE


def _verify_line(r: VerifyResult) -> str:
    line = f"{r.exchange.value}:{r.symbol} {r.interval.value}: {r.candles} candles compared, {r.requests} requests"
    if not r.events:
        line += ", nothing changed"
    for e in r.events:
        line += "\n  " + _change_line(e.kind.value, e.ex_date, e.factor, e.status.value, e.candles_replaced,
                                      e.requests)
    return line + "".join(f"\n  warning: {w}" for w in r.warnings)


def verify(container: UseCases, args: argparse.Namespace) -> int:
    """Every stored instrument (of EXCHANGE), or the one named; one that fails is reported, the others go on."""
    if args.symbol is not None and args.exchange is None:
        raise InvalidInput("verify takes EXCHANGE SYMBOL, EXCHANGE, or nothing")
    exchange = Exchange.parse(args.exchange) if args.exchange else None
    targets = ([(exchange, args.symbol)] if exchange is not None and args.symbol is not None
               else stored_instruments(container.stores(), exchange))
    if not targets:
        raise NotFound("Nothing stored to verify")
    use_case = container.verify_history()
    bodies, lines, failed = [], [], 0
    bar = progress(len(targets), "verify", not args.json)
    with bar:
        for market, symbol in targets:
            try:
                result = use_case.execute(market, symbol)
            except AuthRequired:
                raise
            except DomainError as error:
                if len(targets) == 1:
                    raise
                failed += 1
                bodies.append(error_body(error, exchange=market.value, symbol=symbol))
                lines.append(f"FAILED {market.value}:{symbol}: {error.message}")
            else:
                bodies.append(verify_body(result))
                lines.append(_verify_line(result))
            bar.update(1)
    emit({"success": failed == 0, "results": bodies}, args.json, "\n".join(lines))
    return EXIT_OK if failed == 0 else EXIT_FAILURE


def _request_token_from(text: str) -> str:
    text = text.strip()
    if "request_token=" in text:
        values = parse_qs(urlparse(text).query).get("request_token")
        if not values:
            raise InvalidInput("The URL carries no request_token")
        return values[0]
    return text


def login(container: UseCases, args: argparse.Namespace) -> int:
    use_case = container.login()
    answer = args.request_token
    if not answer:
        url = use_case.login_url()
        # Prompts go to stderr: stdout carries only the result (the JSON with --json).
        print(f"Open this URL, log in, and paste the request_token or the whole redirect URL:\n  {url}",
              file=sys.stderr)
        try:
            print("request_token or redirect URL: ", end="", file=sys.stderr, flush=True)
            answer = input()
        except EOFError:
            raise InvalidInput("No request token given") from None
    session = use_case.execute(_request_token_from(answer))
    body = {"success": True, "user_id": session.user_id, "user_name": session.user_name,
            "login_time": session.login_time}
    emit(body, args.json, f"Logged in as {session.user_name} ({session.user_id}); token saved for the API and CLI")
    return EXIT_OK


COMMANDS: dict[str, Handler] = {
    "fetch": fetch,
    "sync": sync,
    "batch": batch,
    "login": login,
    "verify": verify,
    "track": track,
    "track-options": track_options,
    "track-futures": track_futures,
    "untrack": untrack,
}
