"""The `kitefetch` console script: parse, compose what the command needs, run it."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from adapters.inbound.cli.main import dispatch, parse
from adapters.inbound.cli.output import EXIT_FAILURE
from bootstrap.runtime import tune_gc


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

    from bootstrap.container import build_container
    from bootstrap.logging_setup import configure_logging
    from bootstrap.settings import ConfigurationError, Settings

    try:
        settings = Settings.from_env()
        settings.check()
    except (ConfigurationError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    configure_logging(settings.production, logging.INFO if args.verbose else logging.WARNING)
    container = build_container(settings)
    tune_gc()
    return dispatch(container, args)  # type: ignore[arg-type]  # its providers are the UseCases factories


if __name__ == "__main__":
    sys.exit(main())
