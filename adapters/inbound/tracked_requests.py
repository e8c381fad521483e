"""A body of POST /api/data/tracked (or the CLI's track commands, said as one) -> the use case's request.

One route takes three bodies: no `rule` tracks one symbol, `"rule": "options"` or `"futures"` a rule. Each has
its own schema, so a field of another kind (`strikes` on a symbol) is refused by name like any unknown field.
"""

from __future__ import annotations

from adapters.inbound.schemas import TRACK_SCHEMAS, load
from application.track_rule import TrackRuleRequest
from application.track_series import TrackSeriesRequest
from application.tracked import RuleKind
from domain.errors import InvalidInput
from domain.interval import Interval
from domain.market import Exchange
from domain.option_chain import InstrumentRef


def track_request(payload: object) -> TrackSeriesRequest | TrackRuleRequest:
    if not isinstance(payload, dict):
        raise InvalidInput("Request body must be a JSON object")
    rule = payload.get("rule")
    schema = TRACK_SCHEMAS.get(rule) if rule is None or isinstance(rule, str) else None
    if schema is None:
        raise InvalidInput("rule: must be options or futures (or absent, to track one symbol)")
    data = load(schema(), payload)
    exchange = Exchange.parse(data["exchange"])
    intervals = tuple(Interval.parse(i) for i in data["intervals"])
    if rule is None:
        return TrackSeriesRequest(exchange, data["symbol"], intervals, data["from_date"])
    price = data.get("underlying_symbol")
    try:
        underlying_symbol = InstrumentRef.parse(price) if price else None
    except InvalidInput as error:
        raise InvalidInput(f"underlying_symbol: {error.message}") from None
    return TrackRuleRequest(RuleKind(rule), exchange, data["underlying"], intervals, data.get("expiries"),
                            data.get("strikes"), underlying_symbol, data.get("from_date"))
