"""`kitefetch track`, `track-options`, `track-futures` and `untrack`: the tracked-series routes as commands.

Each builds the body POST /api/data/tracked takes and goes through the same parsing (tracked_requests.py), so a
bad value reads the same in both; `--json` prints the API's answer. `kitefetch tracked` is a query (queries.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

from adapters.inbound.cli.output import EXIT_OK, emit
from adapters.inbound.cli.queries import tracked_line
from adapters.inbound.presenters import tracked_body
from adapters.inbound.tracked_requests import track_request
from application.track_rule import TrackRule
from application.track_series import TrackSeries, TrackSeriesRequest
from application.tracked import Tracked
from application.untrack import Untrack


class TrackingUseCases(Protocol):
    track_series: Callable[[], TrackSeries]
    track_rule: Callable[[], TrackRule]
    untrack: Callable[[], Untrack]


def _intervals(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _tracked(container: TrackingUseCases, body: dict, args: argparse.Namespace) -> int:
    request = track_request(body)
    entry: Tracked = (container.track_series().execute(request) if isinstance(request, TrackSeriesRequest)
                      else container.track_rule().execute(request))
    answer = tracked_body(entry)
    emit({"success": True, "tracked": answer}, args.json, f"tracked: {tracked_line(answer)}")
    return EXIT_OK


def _rule_body(args: argparse.Namespace, rule: str) -> dict:
    body = {"rule": rule, "exchange": args.exchange, "underlying": args.underlying,
            "intervals": _intervals(args.intervals)}
    return {**body, "from_date": args.from_date} if args.from_date else body


def track(container: TrackingUseCases, args: argparse.Namespace) -> int:
    return _tracked(container, {"exchange": args.exchange, "symbol": args.symbol,
                                "intervals": _intervals(args.intervals), "from_date": args.from_date}, args)


def track_options(container: TrackingUseCases, args: argparse.Namespace) -> int:
    body = {**_rule_body(args, "options"), "expiries": args.expiries, "strikes": args.strikes}
    if args.underlying_symbol:
        body["underlying_symbol"] = args.underlying_symbol
    return _tracked(container, body, args)


def track_futures(container: TrackingUseCases, args: argparse.Namespace) -> int:
    return _tracked(container, _rule_body(args, "futures"), args)


def untrack(container: TrackingUseCases, args: argparse.Namespace) -> int:
    answer = tracked_body(container.untrack().execute(args.id))
    emit({"success": True, "untracked": answer}, args.json,
         f"untracked: {tracked_line(answer)} (its stored candles stay)")
    return EXIT_OK
