"""Test controls that make the sandbox change the past as real Kite does: corporate actions, revised closes.

Real Kite has no such routes; kitefetch never calls them. Bodies are JSON objects; a bad one is a 400
InputException in Kite's error envelope, like every other `/__sandbox/*` route.
"""

from __future__ import annotations

import datetime

import orjson

from .bad_data import SECONDS_PER_DAY
from .candles import CandleQuery, candles
from .corporate_actions import CorporateAction, json_fields, number_field, text_field
from .errors import input_error
from .history_edits import bind_actions, find_instrument
from .history_request import INTERVAL_MINUTES
from .instruments import Instrument
from .routes import Request, Response, ok
from .state import SandboxState

IST_OFFSET = datetime.timedelta(hours=5, minutes=30)
REVISE_FIELDS = ("exchange", "symbol", "interval", "timestamp", "close")


def _body(req: Request) -> object:
    try:
        return orjson.loads(req.body)
    except orjson.JSONDecodeError as exc:
        raise input_error("the body must be a JSON object") from exc


def corporate_action(state: SandboxState, req: Request) -> Response:
    """From now on, candles of the instrument dated before ex_date are served back-adjusted."""
    try:
        action = CorporateAction.from_json(_body(req))
        (bound,) = bind_actions(state.universe(), (action,), preloaded=False)
    except ValueError as exc:
        raise input_error(str(exc)) from exc
    state.history_edits.add_action(bound)
    return ok(bound.to_json())


def revise(state: SandboxState, req: Request) -> Response:
    """Give one served candle of one interval a new close (Kite's next-morning day-close revision)."""
    try:
        fields = json_fields(_body(req), REVISE_FIELDS)
        exchange, symbol, interval, stamp = (text_field(fields, n) for n in REVISE_FIELDS[:4])
        close = number_field(fields, "close")
    except ValueError as exc:
        raise input_error(str(exc)) from exc
    inst = find_instrument(state.universe(), exchange, symbol)
    if inst is None:
        raise input_error(f"unknown instrument {exchange.upper()}:{symbol.upper()}")
    if interval not in INTERVAL_MINUTES:
        raise input_error("invalid interval")
    minutes = INTERVAL_MINUTES[interval]
    moment = _ist_moment(stamp)
    ticks = close * 20
    if close <= 0 or abs(ticks - round(ticks)) > 1e-6:
        raise input_error("close must be a positive multiple of the 0.05 tick")
    ts = _candle_seconds(state, inst, minutes, moment)
    revision = state.history_edits.add_revision(inst.instrument_token, inst.exchange, inst.tradingsymbol,
                                                interval, minutes, ts, round(ticks))
    return ok(revision.to_json())


def list_corporate_actions(state: SandboxState, req: Request) -> Response:
    return ok({"corporate_actions": [a.to_json() for a in state.history_edits.actions()]})


def list_revisions(state: SandboxState, req: Request) -> Response:
    return ok({"revisions": [r.to_json() for r in state.history_edits.revisions()]})


def _ist_moment(stamp: str) -> datetime.datetime:
    """`YYYY-MM-DDTHH:MM:SS+0530` (any offset, converted to IST), or a bare date meaning its 00:00."""
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise input_error("timestamp must be YYYY-MM-DDTHH:MM:SS+0530 or YYYY-MM-DD") from exc
    offset = moment.utcoffset()
    if offset is not None:
        moment = (moment - offset + IST_OFFSET).replace(tzinfo=None)
    return moment


def _candle_seconds(state: SandboxState, inst: Instrument, minutes: int | None, moment: datetime.datetime) -> int:
    """The stamp of the candle served at exactly `moment`; 400 when that interval serves none there."""
    served = candles(state.config.seed, CandleQuery(inst, minutes, moment, moment, False, state.now()))
    ts = moment.toordinal() * SECONDS_PER_DAY + moment.hour * 3600 + moment.minute * 60 + moment.second
    if ts not in served.ts:
        label = "day" if minutes is None else f"{minutes}-minute"
        raise input_error(f"no {label} candle of {inst.exchange}:{inst.tradingsymbol} at {moment.isoformat()}+0530")
    return ts
