"""HTTP plumbing: parse the request, find the route, write Kite's envelopes (or misbehave on purpose)."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from . import history_routes, routes
from .errors import KiteError
from .render import error
from .routes import Request, Response
from .state import SandboxState

log = logging.getLogger(__name__)

Endpoint = Callable[[SandboxState, Request], Response]
ROUTE_TABLE: list[tuple[re.Pattern[str], dict[str, Endpoint]]] = [
    (re.compile(r"^/session/token$"), {"POST": routes.session_create, "DELETE": routes.session_invalidate}),
    (re.compile(r"^/user/profile$"), {"GET": routes.profile}),
    (re.compile(r"^/instruments$"), {"GET": routes.instruments}),
    (re.compile(r"^/instruments/historical/(?P<token>[^/]+)/(?P<interval>[^/]+)$"), {"GET": routes.historical}),
    (re.compile(r"^/instruments/(?P<exchange>[A-Za-z]+)$"), {"GET": routes.instruments}),
    (re.compile(r"^/connect/login$"), {"GET": routes.login_form, "POST": routes.login_submit}),
    (re.compile(r"^/__sandbox/stats$"), {"GET": routes.sandbox_stats}),
    (re.compile(r"^/__sandbox/reset$"), {"POST": routes.sandbox_reset}),
    (re.compile(r"^/__sandbox/expire-tokens$"), {"POST": routes.sandbox_expire_tokens}),
    (re.compile(r"^/__sandbox/fault$"), {"POST": routes.sandbox_fault}),
    (re.compile(r"^/__sandbox/corporate-action$"), {"POST": history_routes.corporate_action}),
    (re.compile(r"^/__sandbox/corporate-actions$"), {"GET": history_routes.list_corporate_actions}),
    (re.compile(r"^/__sandbox/revise$"), {"POST": history_routes.revise}),
    (re.compile(r"^/__sandbox/revisions$"), {"GET": history_routes.list_revisions}),
]


def _kite_error(exc: KiteError) -> Response:
    return Response(exc.status, error(exc.message, exc.error_type))


class SandboxHandler(BaseHTTPRequestHandler):
    """One instance per connection; HTTP/1.1 keep-alive so clients can pool connections."""

    protocol_version = "HTTP/1.1"
    server_version = "KiteSandbox/1.0"
    state: SandboxState  # set on a per-server subclass
    log_requests = False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet by default; never logs query strings (they can carry tokens)."""
        if self.log_requests:
            log.info("%s %s", self.command, urlsplit(self.path).path)

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)) if raw else {}
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            response = self._route(Request(self.command, parts.path, query, form, headers, body=raw))
        except KiteError as exc:
            response = _kite_error(exc)
        except Exception:
            log.exception("sandbox_request_failed path=%s", parts.path)
            response = Response(500, error("Internal sandbox error", "GeneralException"))
        if response.drop:
            self._drop()
            return
        self.state.stats.status(response.status)
        self._send(response)

    def _route(self, req: Request) -> Response:
        for pattern, methods in ROUTE_TABLE:
            match = pattern.match(req.path)
            if match is None:
                continue
            endpoint = methods.get(req.method)
            if endpoint is None:
                self.state.stats.route("method_not_allowed")
                return Response(405, error("Method not allowed", "GeneralException"),
                                headers={"Allow": ", ".join(methods)})
            args = {k: v for k, v in match.groupdict().items() if v is not None}
            return endpoint(self.state, Request(req.method, req.path, req.query, req.form, req.headers, args,
                                                req.body))
        self.state.stats.route("not_found")
        return Response(404, error("Route not found", "GeneralException"))

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. it timed out during a stall)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
