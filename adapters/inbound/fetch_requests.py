"""Validated request dicts -> use-case requests, shared by the HTTP API and the CLI."""

from __future__ import annotations

from adapters.inbound.schemas import BatchItemSchema, BatchSchema, describe_errors, load
from application.batch_fetch import BatchItem, ItemFailure
from application.fetch_history import FetchRequest
from domain.date_range import DateRange
from domain.errors import DomainError, InvalidInput
from domain.instrument import check_symbol
from domain.interval import Interval
from domain.market import Exchange, Segment


def to_request(data: dict, segment: Segment) -> FetchRequest:
    exchange = data.get("exchange")
    return FetchRequest(
        segment=segment,
        symbol=check_symbol(data["symbol"]),
        exchange=Exchange.parse(exchange) if exchange else None,
        date_range=DateRange(data["from_date"], data["to_date"]),
        interval=Interval.parse(data["interval"]),
        validate=data["validate_candles"],
        overwrite=data["overwrite"],
        incremental=data["incremental"],
    )


def batch_items(payload: object) -> list[BatchItem]:
    """Each item is parsed on its own: a malformed item becomes that item's error, not the batch's."""
    envelope = load(BatchSchema(), payload)
    items: list[BatchItem] = []
    schema = BatchItemSchema()
    for raw in envelope["requests"]:
        symbol = str(raw.get("symbol", ""))[:64] if isinstance(raw, dict) else ""
        try:
            if not isinstance(raw, dict):
                raise InvalidInput("Each request must be a JSON object")
            errors = schema.validate(raw)
            if errors:
                raise InvalidInput(describe_errors(errors))
            data = schema.load(raw)
            items.append(to_request(data, Segment.parse(data["segment"])))
        except DomainError as error:
            items.append(ItemFailure(symbol, error))
    return items
