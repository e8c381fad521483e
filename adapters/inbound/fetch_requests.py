"""Validated request dicts -> use-case requests, shared by the HTTP API and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from adapters.inbound.schemas import BatchItemSchema, BatchSchema, describe_errors, load
from application.batch_fetch import BatchItem, ItemFailure
from application.fetch_request import FetchRequest
from domain.date_range import DateRange
from domain.errors import DomainError, InvalidInput
from domain.instrument import check_symbol
from domain.interval import Interval
from domain.market import Exchange, Segment

T = TypeVar("T")


def _field(name: str, parse: Callable[..., T], *values: Any) -> T:
    """`parse(*values)`, its InvalidInput naming where the value was, as marshmallow's errors do."""
    try:
        return parse(*values)
    except InvalidInput as error:
        raise InvalidInput(f"{name}: {error.message}" if name else error.message) from None


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def to_request(data: dict, segment: Segment, where: str = "") -> FetchRequest:
    """`where` prefixes the field named in an error (`requests[2]`), for a request inside a list."""
    exchange = data.get("exchange")
    return FetchRequest(
        segment=segment,
        symbol=_field(_at(where, "symbol"), check_symbol, data["symbol"]),
        exchange=_field(_at(where, "exchange"), Exchange.parse, exchange) if exchange else None,
        date_range=_field(where, DateRange, data["from_date"], data["to_date"]),  # its message quotes the bad date
        interval=_field(_at(where, "interval"), Interval.parse, data["interval"]),
        validate=data["validate_candles"],
        overwrite=data["overwrite"],
        incremental=data["incremental"],
    )


def _item_request(raw: object, schema: BatchItemSchema, where: str = "") -> FetchRequest:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: must be a JSON object" if where else "Each request must be a JSON object")
    errors = schema.validate(raw)
    if errors:
        raise InvalidInput(describe_errors(errors, where))
    data = schema.load(raw)
    return to_request(data, Segment.parse(data["segment"]), where)


def batch_items(payload: object) -> list[BatchItem]:
    """Each item is parsed on its own: a malformed item becomes that item's error, not the batch's."""
    envelope = load(BatchSchema(), payload)
    items: list[BatchItem] = []
    schema = BatchItemSchema()
    for raw in envelope["requests"]:
        symbol = str(raw.get("symbol", ""))[:64] if isinstance(raw, dict) else ""
        try:
            items.append(_item_request(raw, schema))
        except DomainError as error:
            items.append(ItemFailure(symbol, error))
    return items


def job_requests(payload: object) -> list[FetchRequest]:
    """Every item must be able to run before a job is accepted: the first that cannot refuses the whole batch,
    naming its index and field (`requests[2].interval: ...`), as a job runs long after its caller has gone."""
    envelope = load(BatchSchema(), payload)
    schema = BatchItemSchema()
    return [_item_request(raw, schema, f"requests[{index}]") for index, raw in enumerate(envelope["requests"])]
