"""`kitefetch serve`: the API under waitress, a production WSGI server."""

from __future__ import annotations

import sys

from adapters.inbound.cli.output import EXIT_FAILURE, EXIT_OK


def serve(host: str, port: int, threads: int) -> int:
    from waitress import serve as waitress_serve

    from bootstrap.app import create_app
    from bootstrap.settings import ConfigurationError

    try:
        app = create_app()
    except (ConfigurationError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"kitefetch API on http://{host}:{port}/api/data", file=sys.stderr, flush=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="kitefetch", _quiet=True)
    return EXIT_OK
