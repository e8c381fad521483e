"""The endpoints: each takes the sandbox state and a parsed request and returns a Response.

Kite's rules live here: who must be authenticated, which limiter applies, where faults strike.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import orjson

from .candles import candles
from .errors import KiteError, input_error, throttled
from .faults import FAULT_KINDS, GATEWAY_PAGE
from .history_request import parse_query
from .login_page import error_page, login_page, redirect_location
from .profile import profile_data, session_data
from .render import candles_body, success
from .state import SandboxState
from .tokens import parse_authorization

JSON = "application/json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    args: dict[str, str] = field(default_factory=dict)  # captured from the path
    body: bytes = b""  # raw, for the routes that take JSON

    def param(self, name: str) -> str | None:
        return self.form.get(name, self.query.get(name))


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the socket without answering


def ok(data: object) -> Response:
    return Response(200, success(data))


def _authenticate(state: SandboxState, req: Request) -> str:
    api_key, access_token = parse_authorization(req.headers.get("authorization"))
    state.tokens.check(api_key, access_token)
    return api_key


def _limit_other(state: SandboxState, api_key: str) -> None:
    if not state.other_limiter.admit(api_key):
        state.stats.throttle()
        raise throttled()


def session_create(state: SandboxState, req: Request) -> Response:
    state.stats.route("session_token")
    api_key, request_token, given = (req.param("api_key"), req.param("request_token"), req.param("checksum"))
    if not api_key or not request_token or not given:
        raise input_error("Missing api_key, request_token or checksum")
    access_token, login_time = state.tokens.exchange(api_key, request_token, given)
    return ok(session_data(api_key, access_token, login_time))


def session_invalidate(state: SandboxState, req: Request) -> Response:
    state.stats.route("session_invalidate")
    api_key, access_token = req.param("api_key"), req.param("access_token")
    if not api_key or not access_token:
        raise input_error("Missing api_key or access_token")
    _limit_other(state, api_key)
    state.tokens.invalidate(api_key, access_token)
    return ok(True)


def profile(state: SandboxState, req: Request) -> Response:
    state.stats.route("profile")
    _limit_other(state, _authenticate(state, req))
    return ok(profile_data())


def instruments(state: SandboxState, req: Request) -> Response:
    """Public on real Kite; a token, when sent, must still be valid."""
    state.stats.route("instruments")
    key = _authenticate(state, req) if "authorization" in req.headers else "anonymous"
    _limit_other(state, key)
    exchange = req.args.get("exchange")
    gzipped = "gzip" in req.headers.get("accept-encoding", "")
    body = state.universe().csv(exchange.upper() if exchange else None, gzipped)
    headers = {"Content-Encoding": "gzip"} if gzipped else {}
    return Response(200, body, "text/csv", headers)


def historical(state: SandboxState, req: Request) -> Response:
    state.stats.route("historical")
    api_key, access_token = parse_authorization(req.headers.get("authorization"))
    state.stats.historical_token(access_token)
    state.tokens.check(api_key, access_token)
    if not state.historical_limiter.admit(api_key):
        state.stats.throttle()
        raise throttled()
    fault = state.faults.next_fault()
    if fault is not None:
        state.stats.fault(fault)
        if fault == "throttle":
            raise throttled()
        if fault == "error500":
            raise KiteError(500, "GeneralException", "Something went wrong. Please try again.")
        if fault == "unavailable503":
            raise KiteError(503, "NetworkException", "Service unavailable. Please try again.")
        if fault == "gateway502":
            return Response(502, GATEWAY_PAGE, "text/html")
        if fault == "drop":
            return Response(0, drop=True)
        time.sleep(state.config.stall_seconds)  # "stall": answer, but too late for the client
    query, with_oi = parse_query(state.universe(), req.args["token"], req.args["interval"], req.query,
                                 state.now())
    edits = state.history_edits.for_instrument(query.instrument.instrument_token)  # one snapshot per response
    arrays = candles(state.config.seed, query, edits)
    body = candles_body(arrays, with_oi)
    count = len(arrays.ts)
    state.stats.candles(count)
    delay_ms = state.config.latency_ms + state.config.cost_ms_per_1000_candles * count / 1000.0
    if delay_ms > 0:
        time.sleep(delay_ms / 1000.0)
    return Response(200, body)


def login_form(state: SandboxState, req: Request) -> Response:
    state.stats.route("login_page")
    api_key = req.param("api_key") or ""
    if not state.tokens.knows_api_key(api_key):
        return Response(400, error_page("Invalid `api_key`."), "text/html; charset=utf-8")
    return Response(200, login_page(api_key), "text/html; charset=utf-8")


def login_submit(state: SandboxState, req: Request) -> Response:
    state.stats.route("login_submit")
    api_key = req.param("api_key") or ""
    if not state.tokens.knows_api_key(api_key):
        return Response(400, error_page("Invalid `api_key`."), "text/html; charset=utf-8")
    location = redirect_location(state.config.redirect_url, state.tokens.issue_request_token())
    return Response(302, b"", "text/html; charset=utf-8", {"Location": location})


def sandbox_stats(state: SandboxState, req: Request) -> Response:
    return Response(200, orjson.dumps(state.snapshot()))


def sandbox_reset(state: SandboxState, req: Request) -> Response:
    state.reset()
    return ok(True)


def sandbox_expire_tokens(state: SandboxState, req: Request) -> Response:
    state.tokens.expire_all()
    return ok(True)


def sandbox_fault(state: SandboxState, req: Request) -> Response:
    """Force the next `count` historical requests to fail with `kind` (for tests)."""
    kind = req.param("kind") or ""
    if kind not in FAULT_KINDS:
        raise input_error(f"kind must be one of {', '.join(FAULT_KINDS)}")
    count = req.param("count") or "1"
    if not count.isdigit():
        raise input_error("count must be a positive integer")
    state.faults.force(kind, int(count))
    return ok(True)
