"""`kitefetch` arguments and dispatch. Exit codes: 0 ok, 1 failure, 2 usage, 3 auth.

The entry point that composes the application lives in bootstrap/cli.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from adapters.inbound.cli.output import EXIT_FAILURE, EXIT_USAGE, fail
from adapters.inbound.cli.queries import QUERIES, Queries
from domain.errors import DomainError
from domain.interval import Interval

if TYPE_CHECKING:
    from adapters.inbound.cli.commands import UseCases

INTERVALS = ", ".join(i.value for i in Interval)
EPILOG = """\
environment (or a .env file in the working directory):
  KITE_API_KEY, KITE_API_SECRET   your Kite Connect app's credentials
  KITE_ACCESS_TOKEN               a token you already have (after the token file)
  KITE_API_ROOT, KITE_LOGIN_URL   Kite's API root and login page (the sandbox's under `make run`)
  KITE_TIMEOUT, KITE_RATE_LIMIT   seconds per Kite request (7), historical requests per second (3)
  KITEFETCH_DATA_DIR              EQUITY.h5, DERIVATIVES.h5, caches, token file (./data/hdf5)
  KITEFETCH_FETCH_CONCURRENCY     requests in flight per fetch (4)
  KITEFETCH_BATCH_WORKERS         batch and job items (a sync's series) in parallel (4)
  KITEFETCH_API_KEY               required to bind serve beyond 127.0.0.1 (X-API-Key header)
  KITEFETCH_DURABLE               0 turns fsync off: benchmarks only (default on)
  KITEFETCH_MIN_FREE_MB           warn below this much free space in the data dir (1024)
  KITEFETCH_SYNC_AT               serve syncs on trading days at these IST times, e.g. 16:05,18:30 (off)
  FLASK_SECRET_KEY, FLASK_ENV     session signing key; development (default) or production

exit codes: 0 ok, 1 failure, 2 usage (a bad argument or value), 3 auth (run `kitefetch login`)
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kitefetch")
    except PackageNotFoundError:
        return "unknown"


class _VersionAction(argparse.Action):
    """argparse's "version" action, with the version looked up only when asked (~15 ms every command would pay)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str = "show program's version number and exit") -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        print(f"kitefetch {_version()}")
        parser.exit()


def _at_least(minimum: int) -> Callable[[str], int]:
    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value
    return count


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the API's JSON instead of text")
    parser.add_argument("--verbose", "-v", action="store_true", help="log every step to stderr")


def _fetch_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_date", required=True, metavar="YYYY-MM-DD", help="first day (inclusive)")
    parser.add_argument("--to", dest="to_date", required=True, metavar="YYYY-MM-DD",
                        help="last day (inclusive; `today`, the IST day, or a future day stops at the last "
                             "completed candle)")
    parser.add_argument("--interval", default="day", metavar="INTERVAL",
                        help=f"one of {INTERVALS} (default: day)")
    parser.add_argument("--no-validate", action="store_true", help="store candles without validation")
    parser.add_argument("--overwrite", action="store_true", help="replace stored candles in the range")
    parser.add_argument("--full", action="store_true", help="refetch the whole range, not only what is missing")
    _common(parser)


def _intervals_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--intervals", required=True, metavar="LIST",
                        help=f"comma-separated, e.g. day,minute; each one of {INTERVALS}")


def _tracking_parsers(sub: argparse._SubParsersAction) -> None:
    track = sub.add_parser("track", help="keep a symbol current at some intervals from a day on")
    track.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    track.add_argument("symbol", help="Kite's tradingsymbol, e.g. TCS, M&M (any case)")
    _intervals_flag(track)
    track.add_argument("--from", dest="from_date", required=True, metavar="YYYY-MM-DD",
                       help="first day to keep (inclusive)")
    _common(track)

    rule_from = "first day to keep of each contract (default: from its first candle, i.e. its listing)"
    options = sub.add_parser("track-options", help="keep an option chain current: the nearest expiries and the "
                                                   "strikes around the money, chosen anew each day")
    options.add_argument("exchange", type=str.upper, choices=["NFO", "BFO"], help="NFO or BFO (any case)")
    options.add_argument("underlying", help="as Kite's dump names it: NIFTY, BANKNIFTY, SENSEX, RELIANCE")
    options.add_argument("--expiries", type=int, required=True, metavar="K", help="the nearest K live expiries (1-6)")
    options.add_argument("--strikes", type=int, required=True, metavar="N",
                         help="N listed strikes on each side of the one nearest the underlying's last close (0-50)")
    _intervals_flag(options)
    options.add_argument("--underlying-symbol", default=None, metavar="EXCHANGE:SYMBOL",
                         help="whose last close is the money (default: the index, e.g. 'NSE:NIFTY 50', or the stock)")
    options.add_argument("--from", dest="from_date", default=None, metavar="YYYY-MM-DD", help=rule_from)
    _common(options)

    futures = sub.add_parser("track-futures", help="keep every live future of an underlying current, each day")
    futures.add_argument("exchange", type=str.upper, choices=["NFO", "BFO"], help="NFO or BFO (any case)")
    futures.add_argument("underlying", help="as Kite's dump names it: NIFTY, BANKNIFTY, SENSEX, RELIANCE")
    _intervals_flag(futures)
    futures.add_argument("--from", dest="from_date", default=None, metavar="YYYY-MM-DD", help=rule_from)
    _common(futures)

    tracked = sub.add_parser("tracked", help="list what is tracked, with the ids untrack takes")
    _common(tracked)

    untrack = sub.add_parser("untrack", help="stop tracking an entry (its stored candles stay)")
    untrack.add_argument("id", help="the entry's id, as `kitefetch tracked` lists it")
    _common(untrack)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kitefetch", description="Keep a local HDF5 database of Kite candles.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the REST API (gunicorn, threaded worker)",
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1", help="interface (beyond loopback needs KITEFETCH_API_KEY)")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker process")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")

    # Its flags belong to the sandbox program (kite_sandbox/), which bootstrap hands `kitefetch sandbox ...` to
    # before this parser runs: the CLI adapter never imports the stand-in for Zerodha.
    sub.add_parser("sandbox", help="run the local Kite Connect sandbox (kitefetch sandbox --help for its flags)")

    fetch = sub.add_parser("fetch", help="fetch candles into the local database")
    kinds = fetch.add_subparsers(dest="kind", required=True)
    equity = kinds.add_parser("equity", help="an NSE/BSE symbol")
    equity.add_argument("symbol", help="Kite's tradingsymbol, e.g. RELIANCE, M&M (any case)")
    equity.add_argument("--exchange", default=None, help="NSE or BSE (default: NSE, then BSE)")
    _fetch_flags(equity)
    derivatives = kinds.add_parser("derivatives", help="an NFO/BFO contract")
    derivatives.add_argument("exchange", type=str.upper, choices=["NFO", "BFO"], help="NFO or BFO (any case)")
    derivatives.add_argument("symbol", help="the contract's tradingsymbol, e.g. NIFTY26DECFUT")
    _fetch_flags(derivatives)

    batch = sub.add_parser("batch", help="fetch every request in a JSON file ({\"requests\": [...]})")
    batch.add_argument("file", help="path of the JSON file")
    _common(batch)

    instruments = sub.add_parser("instruments", help="list an exchange's instruments")
    instruments.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    instruments.add_argument("--refresh", action="store_true", help="download today's dump even if cached")
    instruments.add_argument("--limit", type=int, default=None, help="print at most N instruments (default: all)")
    _common(instruments)

    lookup = sub.add_parser("lookup", help="a symbol's instrument token")
    lookup.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    lookup.add_argument("symbol", help="Kite's tradingsymbol (quote spaces: 'NIFTY 50')")
    _common(lookup)

    existing = sub.add_parser("range", help="the stored date range of a series")
    existing.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    existing.add_argument("symbol", help="the stored symbol (any case)")
    existing.add_argument("interval", help=f"one of {INTERVALS}")
    _common(existing)

    holes = sub.add_parser("gaps", help="what a stored series lacks, by session day (never fetched, empty, partial)")
    holes.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    holes.add_argument("symbol", help="the stored symbol (any case)")
    holes.add_argument("interval", help=f"one of {INTERVALS}")
    holes.add_argument("--from", dest="from_date", default=None, metavar="YYYY-MM-DD",
                       help="first day (inclusive; default: the start of what is stored)")
    holes.add_argument("--to", dest="to_date", default=None, metavar="YYYY-MM-DD",
                       help="last day (inclusive; default: the end of what is stored)")
    _common(holes)

    candles = sub.add_parser("candles", help="stored candles (or bars built from them) as CSV, JSON or Parquet")
    candles.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    candles.add_argument("symbol", help="the stored symbol, Kite's spelling (quote spaces: 'NIFTY 50'; any case)")
    candles.add_argument("interval", help=f"the stored interval to read: one of {INTERVALS}")
    candles.add_argument("--from", dest="from_date", default=None, metavar="YYYY-MM-DD",
                         help="first day (inclusive; default: the first candle)")
    candles.add_argument("--to", dest="to_date", default=None, metavar="YYYY-MM-DD",
                         help="last day (inclusive; default: the last candle)")
    candles.add_argument("--resample", default=None, metavar="BARS",
                         help="build bars from the candles: Nminute (75minute), Nhour (2hour), day, week, month, "
                              "quarter or year, anchored at each session's open")
    candles.add_argument("--format", choices=["csv", "json", "parquet"], default="csv", help="default: csv")
    candles.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    candles.set_defaults(json=False, verbose=False)

    db = sub.add_parser("db-info", help="describe a segment database")
    db.add_argument("segment", help="EQUITY or DERIVATIVES (any case)")
    db.add_argument("--offset", type=_at_least(0), default=0, metavar="N",
                    help="skip the first N series (exchange, symbol, interval order; default: 0)")
    db.add_argument("--limit", type=_at_least(1), default=None, metavar="N",
                    help="list at most N series (default: all)")
    _common(db)

    changes = sub.add_parser("adjustments", help="what Kite changed in an instrument's stored history")
    changes.add_argument("exchange", help="NSE, BSE, NFO or BFO (any case)")
    changes.add_argument("symbol", help="the stored symbol (any case)")
    _common(changes)

    verify = sub.add_parser("verify", help="ask Kite for stored day histories again and heal what it changed")
    verify.add_argument("exchange", nargs="?", default=None, help="NSE, BSE, NFO or BFO (default: every stored one)")
    verify.add_argument("symbol", nargs="?", default=None, help="one instrument (default: every stored one)")
    _common(verify)

    _tracking_parsers(sub)

    sync = sub.add_parser("sync", help="bring every tracked and every stored series up to the last completed candle")
    sync.add_argument("--only", action="append", default=None, metavar="ID",
                      help="only this tracked id (repeat for several; stored series are then left alone)")
    _common(sync)

    login = sub.add_parser("login", help="log in to Kite and store the access token")
    login.add_argument("--request-token", default=None, help="a request token or the whole redirect URL")
    _common(login)

    demo = sub.add_parser("demo", help="sandbox + API + a sample fetch, then serve",
                          formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    demo.add_argument("--api-port", type=int, default=5000, help="API port (the next free one if taken)")
    demo.add_argument("--sandbox-port", type=int, default=8765, help="sandbox port (the next free one if taken)")
    demo.add_argument("--once", action="store_true", help="exit after the sample fetch")
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace | int:
    """Parsed arguments, or the exit code when argparse already answered (help: 0, usage error: 2)."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code in (0, None) else EXIT_USAGE


def is_query(args: argparse.Namespace) -> bool:
    """A command answered from local files: its use cases need only be the Queries (queries.py)."""
    return args.command in QUERIES


def dispatch(use_cases: Queries, args: argparse.Namespace) -> int:
    """Run an admin command; domain errors become exit codes (3 for auth). A command that is not a query needs
    all the UseCases (commands.py)."""
    try:
        if is_query(args):
            return QUERIES[args.command](use_cases, args)
        # Only now: the fetching commands bring marshmallow and the fetch use cases (and structlog) with them.
        from adapters.inbound.cli.commands import COMMANDS

        return COMMANDS[args.command](cast("UseCases", use_cases), args)
    except DomainError as error:
        return fail(error, args.json)
    except KeyboardInterrupt:
        print("interrupted: candles fetched so far are stored", file=sys.stderr)
        return EXIT_FAILURE
