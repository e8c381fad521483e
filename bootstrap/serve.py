"""`kitefetch serve`: the API under gunicorn (one process, a pool of threads).

Why gunicorn's threaded worker: with 32 concurrent connections on this 2-core machine it answered the read
routes at p99 25 ms and 1,700 req/s, where waitress (16-32 threads) stalled at p99 280-580 ms (measured with
wrk, bench/api_load.py). Threads default to 8: the connections wait in gunicorn's poller, not on the GIL
(32 threads: p99 41 ms; 16: 31 ms; 8: 25 ms). One worker process keeps one in-process instrument cache and
metadata cache; the Kite rate limit is shared across processes anyway (a state file under the data dir).
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys

import structlog
from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication

from adapters.inbound.cli.output import EXIT_FAILURE, EXIT_OK


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from bootstrap.app import create_app
        from bootstrap.runtime import tune_gc
        from bootstrap.scheduler import start_scheduler

        app = create_app()  # in the worker, after the fork: no file or socket crosses it
        start_scheduler(app.container)  # type: ignore[attr-defined]  # a thread per worker when KITEFETCH_SYNC_AT is set
        tune_gc()  # per worker: its own start-up objects
        return app


def _envelope_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own answers (a request line over 8 KB, oversized headers, a malformed request) in the API's
    error envelope instead of its HTML page; Flask never sees these requests."""
    kind = "forbidden" if status_int == 403 else "validation" if status_int < 500 else "unknown"
    body = json.dumps({"success": False, "error": f"{reason}: {mesg}" if mesg else reason,
                       "error_type": kind}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin1")
    gunicorn_util.write_nonblock(sock, head + body)


def _cannot_listen(host: str, port: int) -> str | None:
    """Why gunicorn could not bind `host:port`, or None. Asked first because gunicorn retries a taken port for
    5 s and then exits with its own log lines; binding the way it does (SO_REUSEADDR) answers at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return f"port {port} on {host} is already in use (another server?): choose another with --port"
        return f"cannot listen on {host}:{port}: {os.strerror(error.errno) if error.errno else error}"
    return None


def serve(host: str, port: int, threads: int, workers: int = 1) -> int:
    from adapters.outbound.storage_errors import unwritable_reason
    from bootstrap.container import build_container
    from bootstrap.logging_setup import configure_logging
    from bootstrap.settings import ConfigurationError, Settings
    from bootstrap.startup import interrupt_orphaned_jobs, warn_if_low_on_space
    from domain.errors import CalendarInvalid

    try:
        settings = Settings.from_env()
        settings.check(bind_host=host)
    except (ConfigurationError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    problem = _cannot_listen(host, port)
    if problem:
        print(f"kitefetch serve: {problem}", file=sys.stderr)
        return EXIT_FAILURE
    unwritable = unwritable_reason(settings.data_dir)
    if unwritable:  # stored candles stay readable; every write answers 503 saying so
        print(f"kitefetch serve: {unwritable}; serving reads only until then", file=sys.stderr, flush=True)
    configure_logging(settings.production)
    container = build_container(settings)  # the master's own: it opens no file, and no worker uses it
    try:
        container.calendar()  # reads the calendar files: one that does not parse stops the server here
    except CalendarInvalid as error:
        print(f"configuration error: {error.message}", file=sys.stderr)
        return EXIT_FAILURE
    warn_if_low_on_space(container)
    interrupt_orphaned_jobs(container)  # once per server start, before any worker can own a job

    def worker_exited(_arbiter, _worker) -> None:  # in the master, once the worker is reaped
        try:
            interrupt_orphaned_jobs(container)
        except OSError as error:  # an unwritable job file must not take the master down
            structlog.get_logger(__name__).warning("job_sweep_failed", error=str(error))

    print(f"kitefetch API on http://{host}:{port}/api/data", file=sys.stderr, flush=True)
    gunicorn_util.write_error = _envelope_error  # the workers fork from here and inherit it
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,  # the worker's heartbeat, not a request limit: long fetches run in threads
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": None,  # kitefetch logs each request itself, with its request id
        "loglevel": "warning",
        "limit_request_line": 8190,
        "child_exit": worker_exited,
    }).run()
    return EXIT_OK
