"""The CLI's arguments: what a newcomer reads in --help and what any case of an exchange means."""

from __future__ import annotations

import pytest

from adapters.inbound.cli.main import build_parser, parse


def test_derivatives_exchange_takes_any_case() -> None:
    args = parse(["fetch", "derivatives", "nfo", "NIFTY26DECFUT", "--from", "2026-11-01", "--to", "2026-11-20"])
    assert not isinstance(args, int)
    assert args.exchange == "NFO"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse(["--version"]) == 0
    assert capsys.readouterr().out.startswith("kitefetch ")


def test_help_lists_environment_exit_codes_and_intervals() -> None:
    text = build_parser().format_help()
    for needle in ("KITEFETCH_DATA_DIR", "KITE_TIMEOUT", "KITE_RATE_LIMIT", "KITEFETCH_API_KEY", "KITEFETCH_SYNC_AT",
                   "exit codes", "3 auth"):
        assert needle in text
    fetch_help = build_parser()._subparsers._group_actions[0].choices["fetch"]  # type: ignore[union-attr,index]
    equity_help = fetch_help._subparsers._group_actions[0].choices["equity"].format_help()
    assert "15minute" in equity_help and "(default: day)" in equity_help


def test_every_option_has_help() -> None:
    def walk(parser):
        yield parser
        for action in parser._actions:
            for sub in (getattr(action, "choices", None) or {}).values() if hasattr(action, "_name_parser_map") else ():
                yield from walk(sub)

    missing = [f"{p.prog} {a.dest}" for p in walk(build_parser()) for a in p._actions
               if a.help is None and a.dest not in ("help", "command", "kind")]
    assert missing == []


def test_a_fetch_line_names_the_days_outside_every_known_session() -> None:
    from datetime import date

    from adapters.inbound.cli.commands import _fetch_line
    from application.fetch_history import FetchResult
    from domain.date_range import DateRange
    from domain.interval import Interval
    from domain.market import Exchange

    result = FetchResult("INFY", Exchange.NSE, Interval.MINUTE, DateRange(date(2025, 1, 31), date(2025, 2, 3)),
                         750, 375, 1, 0.5, out_of_session=((date(2025, 2, 1), 375),))
    assert _fetch_line(result) == ("NSE:INFY minute 2025-01-31 to 2025-02-03: 750 new candles, 375 rejected, "
                                   "1 requests, 0.50 s; outside every known session: 2025-02-01 (375)")
