"""Request schemas: syntax, names and bounds are checked here; meaning (a symbol that resolves, an exchange in
the request's segment) by the domain and the use cases.

The OpenAPI document is generated from these, so what a client may send is stated once: enums, bounds and
patterns live on the fields (`metadata` carries what the document needs and marshmallow does not check, such as
the symbol pattern the domain enforces), and a body's unknown field is refused rather than ignored.
"""

from __future__ import annotations

import time
from datetime import date

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from application.job import ItemStatus
from application.list_fetches import MAX_LIMIT as MAX_FETCHES
from domain.bar_spec import ACCEPTED as RESAMPLE_FORMS
from domain.bar_spec import PATTERN as RESAMPLE_PATTERN
from domain.bar_spec import BarSpec
from domain.clock_time import ist_date
from domain.date_range import EARLIEST, LATEST
from domain.errors import InvalidInput
from domain.instrument import MAX_SYMBOL_LENGTH, SYMBOL_PATTERN
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.option_chain import MAX_EXPIRIES, MAX_STRIKES

MAX_BATCH_ITEMS = 500
MAX_DATASETS_PAGE = 10_000
MAX_DATASETS_OFFSET = 1_000_000_000
MAX_JOB_ITEMS_PAGE = 10_000
# YYYY-MM-DD from EARLIEST (1970-01-02) to LATEST (2200-01-01), for the document (the Range below checks it);
# `format: date` beside it keeps out days no calendar has (02-30).
_DAY, _MONTH = "(0[1-9]|[12][0-9]|3[01])", "(0[1-9]|1[0-2])"
DATE_PATTERN = (rf"^((197[1-9]|19[89][0-9]|2[01][0-9][0-9])-{_MONTH}-{_DAY}"
                rf"|1970-(01-(0[2-9]|[12][0-9]|3[01])|(0[2-9]|1[0-2])-{_DAY})|2200-01-01)$")
ANY_CASE = "any case; answered in upper case"


class _Body(Schema):
    """A JSON request body: a field the server does not know is a 400 naming it (`intervall: unknown field`),
    as silently dropping it would run the request with the default it meant to override."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown field"}


class _Query(Schema):
    """A query string: unknown parameters are ignored, as browsers, caches and proxies add their own
    (cache busters, tracking tags) and none of them changes what a GET reads."""

    class Meta:
        unknown = EXCLUDE


class _UpperString(fields.String):
    """Exchange and segment names in any case, as the other fields that name them accept."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).upper()


def _date(**kwargs) -> fields.Date:
    return fields.Date(
        validate=validate.Range(min=EARLIEST, max=LATEST, error="{input} is outside {min} to {max}"),
        metadata={"pattern": DATE_PATTERN, "description": f"YYYY-MM-DD, IST, {EARLIEST} to {LATEST}"}, **kwargs)


TODAY = "today"
TODAY_PATTERN = DATE_PATTERN.replace("^(", f"^({TODAY}|", 1)


def today_ist() -> date:
    """The IST day now, for `today` (the request's own day: a use case's clock then clamps to completed candles)."""
    return ist_date(int(time.time()))


_DAY_FIELD = fields.Date(error_messages={"invalid": f"Not a valid date (YYYY-MM-DD or {TODAY})."})


class _DayOrToday(fields.String):
    """A last day that may be `today` (the IST day the request is read, so a client needs no clock of its own):
    a fetch already stops at the last completed candle, so `today` reads "as far as there is"."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text.strip().lower() == TODAY:
            return today_ist()
        return _DAY_FIELD._deserialize(text, attr, data, **kwargs)


def _to_date(**kwargs) -> _DayOrToday:
    return _DayOrToday(
        validate=validate.Range(min=EARLIEST, max=LATEST, error="{input} is outside {min} to {max}"),
        metadata={"pattern": TODAY_PATTERN,
                  "description": f"YYYY-MM-DD, IST, {EARLIEST} to {LATEST}, or `{TODAY}` (the IST day the request "
                                 "arrives; a fetch stops at the last completed candle)"}, **kwargs)


def _exchange(choices: list[str], hint: str = "", **kwargs) -> _UpperString:
    error = f"must be one of {', '.join(choices)} ({ANY_CASE}){hint}"
    return _UpperString(validate=validate.OneOf(choices, error=error), metadata={"description": ANY_CASE},
                        **kwargs)


INTERVALS = [i.value for i in Interval]
EXCHANGES = [e.value for e in Exchange]
SYMBOL_DESCRIPTION = ("a Kite tradingsymbol (`INFY`, `M&M`, `NIFTY 50`); surrounding whitespace is ignored, "
                      "control characters are refused")


class FetchEquitySchema(_Body):
    symbol = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SYMBOL_LENGTH),
                           metadata={"pattern": SYMBOL_PATTERN, "description": SYMBOL_DESCRIPTION})
    exchange = _exchange(["NSE", "BSE"], "; NFO and BFO are in the derivatives segment", load_default=None,
                         allow_none=True)
    from_date = _date(required=True)
    to_date = _to_date(required=True)
    interval = fields.String(load_default="day", validate=validate.OneOf(INTERVALS, error="must be one of {choices}"))
    validate_candles = fields.Boolean(load_default=True, data_key="validate")
    overwrite = fields.Boolean(load_default=False)
    incremental = fields.Boolean(load_default=True)

    @validates_schema
    def dates_in_order(self, data: dict, **_: object) -> None:
        if data["from_date"] > data["to_date"]:
            raise ValidationError("from_date must not be after to_date", "from_date")


class FetchDerivativesSchema(FetchEquitySchema):
    exchange = _exchange(["NFO", "BFO"], required=True)


class BatchItemSchema(FetchEquitySchema):
    exchange = _exchange(EXCHANGES, load_default=None, allow_none=True)
    segment = _UpperString(required=True, validate=validate.OneOf([s.value for s in Segment]),
                           metadata={"description": f"the exchange, when given, must belong to it ({ANY_CASE})"})


class BatchSchema(_Body):
    """Items stay raw here: each is parsed on its own, so a bad one fails alone in a batch (see fetch_requests)."""

    requests = fields.List(fields.Raw(), required=True,
                           validate=validate.Length(min=1, max=MAX_BATCH_ITEMS,
                                                    error=f"requests must hold 1 to {MAX_BATCH_ITEMS} items"))


class VerifySchema(_Body):
    """POST /api/data/verify: one instrument, every stored one of an exchange, or (no body) everything stored."""

    exchange = _exchange(EXCHANGES, load_default=None)
    symbol = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_SYMBOL_LENGTH),
                           metadata={"pattern": SYMBOL_PATTERN,
                                     "description": f"{SYMBOL_DESCRIPTION}; needs `exchange`"})

    @validates_schema
    def symbol_needs_exchange(self, data: dict, **_: object) -> None:
        if data.get("symbol") is not None and data.get("exchange") is None:
            raise ValidationError("required with symbol", "exchange")


def _symbol(description: str = SYMBOL_DESCRIPTION) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=MAX_SYMBOL_LENGTH),
                         metadata={"pattern": SYMBOL_PATTERN, "description": description})


def _intervals() -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(INTERVALS, error="must be one of {choices}")),
                       required=True, validate=validate.Length(min=1, max=len(INTERVALS)),
                       metadata={"uniqueItems": True, "description": "each at most once"})


class _Tracked(_Body):
    intervals = _intervals()

    @validates_schema
    def intervals_once(self, data: dict, **_: object) -> None:
        named = data.get("intervals", [])
        if len(set(named)) != len(named):
            raise ValidationError("an interval is named twice", "intervals")


class TrackSeriesSchema(_Tracked):
    """POST /api/data/tracked without `rule`: one symbol kept current at these intervals from `from_date`."""

    exchange = _exchange(EXCHANGES, required=True)
    symbol = _symbol()
    from_date = _date(required=True)


_UNDERLYING = "the underlying as the dump's `name` column has it: NIFTY, BANKNIFTY, SENSEX, RELIANCE"
# An equity instrument as `NSE:NIFTY 50`, for the document (InstrumentRef.parse checks it).
UNDERLYING_SYMBOL_PATTERN = rf"^([Nn][Ss][Ee]|[Bb][Ss][Ee]):{SYMBOL_PATTERN[1:]}"


class TrackOptionsSchema(_Tracked):
    """`{"rule": "options"}`: each day, the nearest `expiries` expiries and `strikes` strikes each side of the
    money, CE and PE."""

    rule = fields.String(required=True, validate=validate.OneOf(["options"]))
    exchange = _exchange(["NFO", "BFO"], required=True)
    underlying = _symbol(_UNDERLYING)
    expiries = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_EXPIRIES),
                              metadata={"description": "the nearest live expiries"})
    strikes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_STRIKES),
                             metadata={"description": "listed strikes on each side of the one nearest the "
                                                      "underlying's last close"})
    underlying_symbol = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80),
                                      metadata={"pattern": UNDERLYING_SYMBOL_PATTERN,
                                                "description": "whose last close is the money, as EXCHANGE:SYMBOL "
                                                               "(default: the index of NIFTY, BANKNIFTY, FINNIFTY, "
                                                               "MIDCPNIFTY, SENSEX, BANKEX, else the stock)"})
    from_date = _date(load_default=None, allow_none=True)


class TrackFuturesSchema(_Tracked):
    """`{"rule": "futures"}`: every live future of the underlying, each day."""

    rule = fields.String(required=True, validate=validate.OneOf(["futures"]))
    exchange = _exchange(["NFO", "BFO"], required=True)
    underlying = _symbol(_UNDERLYING)
    from_date = _date(load_default=None, allow_none=True)


TRACK_SCHEMAS: dict[str | None, type[Schema]] = {None: TrackSeriesSchema, "options": TrackOptionsSchema,
                                                 "futures": TrackFuturesSchema}


class EmptyBodySchema(_Body):
    """A POST that takes no parameters (cancel, resume): no body, or `{}`."""


class SyncSchema(_Body):
    """POST /api/data/sync: no body (everything tracked and stored), or the tracked ids to bring up to date."""

    tracked_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=None,
                              data_key="only", validate=validate.Length(min=1, max=1000),  # `only` is Schema's
                              metadata={"description": "tracked ids; absent: every tracked and every stored series"})


class LogoutSchema(EmptyBodySchema):
    """POST /auth/logout."""


class ApiKeySchema(_Body):
    """POST /auth/key: the browser presenting the API key."""

    key = fields.String(required=True)


class InstrumentsQuerySchema(_Query):
    force_refresh = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(max=64))
    limit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000))


class FetchesQuerySchema(_Query):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_FETCHES))


class TrackedQuerySchema(_Query):
    """GET /api/data/tracked: everything by default; `page` (from 1) of `per_page` entries when either is given."""

    page = fields.Integer(validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(validate=validate.Range(min=1, max=1000))


class DatabaseInfoQuerySchema(_Query):
    """GET /api/data/database-info: a page of the datasets; without `limit`, all of them from `offset`."""

    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_DATASETS_OFFSET),
                            metadata={"description": "datasets to skip, in the listing's order"})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_DATASETS_PAGE),
                           metadata={"description": "datasets to list at most; all by default"})


_ITEM_STATUSES = "|".join(s.value for s in ItemStatus)


class _ItemStatuses(fields.String):
    """Item states, comma-separated (`failed,running`), loaded as a set of ItemStatus."""

    def _deserialize(self, value, attr, data, **kwargs):
        names = super()._deserialize(value, attr, data, **kwargs).split(",")
        try:
            return {ItemStatus(name.strip()) for name in names}
        except ValueError:
            raise ValidationError(f"each must be one of {', '.join(s.value for s in ItemStatus)}") from None


class JobItemsQuerySchema(_Query):
    """GET /api/jobs/<id>: every item by default; the items in the states named, and a page of them."""

    item_status = _ItemStatuses(metadata={
        "pattern": rf"^({_ITEM_STATUSES})(,({_ITEM_STATUSES}))*$",
        "description": "only the items in these states, comma-separated (failed,running); all by default"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_DATASETS_OFFSET),
                            metadata={"description": "items to skip (of those in the states asked), in order"})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_JOB_ITEMS_PAGE),
                           metadata={"description": "items to list at most; all by default"})


def describe_errors(messages: dict | list | str, prefix: str = "") -> str:
    """Marshmallow's nested error dict as one readable sentence."""
    if isinstance(messages, str):
        return f"{prefix}: {messages}" if prefix else messages
    if isinstance(messages, list):
        return "; ".join(describe_errors(m, prefix) for m in messages)
    parts = []
    for key, value in messages.items():
        name = "body" if key == "_schema" else str(key)
        parts.append(describe_errors(value, f"{prefix}.{name}" if prefix else name))
    return "; ".join(parts)


def load(schema: Schema, payload: object) -> dict:
    if not isinstance(payload, dict):
        raise InvalidInput("Request body must be a JSON object")
    try:
        return schema.load(payload)
    except ValidationError as error:
        raise InvalidInput(describe_errors(error.messages)) from None


class _OptionalRange(_Query):
    """Absent parameters stay absent in the loaded dict (read them with `.get`): a query string has no null, so
    the document must not offer one."""

    from_date = _date()
    to_date = _date()

    @validates_schema
    def dates_in_order(self, data: dict, **_: object) -> None:
        if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
            raise ValidationError("from_date must not be after to_date", "from_date")


def _resample(value: str) -> None:
    try:
        BarSpec.parse(value)
    except InvalidInput as error:
        raise ValidationError(error.message) from None


class _Resampled(_OptionalRange):
    resample = fields.String(validate=_resample, metadata={
        "pattern": RESAMPLE_PATTERN,
        "description": "bars built from the stored candles of the path's interval (whose step must divide N): "
                       f"{RESAMPLE_FORMS}; anchored at each session's open, labelled by their start"})


class CandlesQuerySchema(_Resampled):
    limit = fields.Integer(validate=validate.Range(min=1, max=100_000))


class GapsQuerySchema(_OptionalRange):
    """GET /api/data/gaps: absent dates default to the series' stored span."""


class ExportQuerySchema(_Resampled):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "parquet", "xlsx"]))
