"""The `kitefetch` console script: parse, compose what the command needs, run it.

A query (range, gaps, db-info, lookup, instruments, tracked) is answered over bootstrap/queries.py's composition,
without the container or logging set-up: those two alone cost ~0.15 s of imports (dependency-injector, structlog), as
much as the whole answer. `gaps` sets logging up before the trading calendar, which logs (and brings structlog and
pandas with exchange-calendars: 0.73 s this way, 0.99 s through the container). Every other command gets the
container.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from adapters.inbound.cli.main import dispatch, is_query, parse
from adapters.inbound.cli.output import EXIT_FAILURE, fail

if TYPE_CHECKING:
    from bootstrap.container import Container
    from bootstrap.settings import Settings

# refused at once on a data dir they could not write
WRITING_COMMANDS = frozenset({"fetch", "batch", "login", "track", "track-options", "track-futures", "untrack",
                            "sync"})


def _logging(settings: Settings, verbose: bool) -> None:
    from bootstrap.logging_setup import configure_logging

    configure_logging(settings.production, logging.INFO if verbose else logging.WARNING)


def _container(settings: Settings, verbose: bool) -> Container:
    from bootstrap.container import build_container
    from bootstrap.runtime import tune_gc

    _logging(settings, verbose)
    container = build_container(settings)
    tune_gc()
    return container


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:
        from kite_sandbox.__main__ import main as sandbox_main

        return sandbox_main(argv[1:], prog="kitefetch sandbox")
    args = parse(argv)
    if isinstance(args, int):
        return args
    if args.command == "serve":
        from bootstrap.serve import serve

        return serve(args.host, args.port, args.threads, args.workers)
    if args.command == "demo":
        from bootstrap.demo import run_demo

        return run_demo(args.api_port, args.sandbox_port, args.once)

    from bootstrap.settings import ConfigurationError, Settings

    try:
        settings = Settings.from_env()
        settings.check()
    except (ConfigurationError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.command in WRITING_COMMANDS:  # before asking Kite for anything it could not keep
        from adapters.outbound.storage_errors import unwritable_reason
        from domain.errors import StorageUnavailable

        unwritable = unwritable_reason(settings.data_dir)
        if unwritable:
            return fail(StorageUnavailable(unwritable), args.json)
    container = functools.cache(lambda: _container(settings, args.verbose))
    if is_query(args):
        from bootstrap.queries import LocalQueries

        return dispatch(LocalQueries(settings, container, lambda: _logging(settings, args.verbose)), args)
    return dispatch(container(), args)  # its providers are the UseCases factories


if __name__ == "__main__":
    sys.exit(main())
