"""Request schemas: syntax is checked here, meaning (known interval, dates in order) by the domain."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from application.list_fetches import MAX_LIMIT as MAX_FETCHES
from domain.errors import InvalidInput

MAX_BATCH_ITEMS = 500


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class FetchEquitySchema(_Base):
    symbol = fields.String(required=True, validate=validate.Length(min=1, max=64))
    exchange = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=8))
    from_date = fields.Date(required=True)
    to_date = fields.Date(required=True)
    interval = fields.String(load_default="day", validate=validate.Length(min=1, max=16))
    validate_candles = fields.Boolean(load_default=True, data_key="validate")
    overwrite = fields.Boolean(load_default=False)
    incremental = fields.Boolean(load_default=True)

    @validates_schema
    def dates_in_order(self, data: dict, **_: object) -> None:
        if data["from_date"] > data["to_date"]:
            raise ValidationError("from_date must not be after to_date", "from_date")


class _UpperString(fields.String):
    """Exchange and segment names in any case, as the other fields that name them accept."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).upper()


class FetchDerivativesSchema(FetchEquitySchema):
    exchange = _UpperString(required=True, validate=validate.OneOf(["NFO", "BFO"]))


class BatchItemSchema(FetchEquitySchema):
    segment = _UpperString(required=True, validate=validate.OneOf(["EQUITY", "DERIVATIVES"]))


class BatchSchema(_Base):
    requests = fields.List(fields.Raw(), required=True,
                           validate=validate.Length(min=1, max=MAX_BATCH_ITEMS,
                                                    error=f"requests must hold 1 to {MAX_BATCH_ITEMS} items"))


class InstrumentsQuerySchema(_Base):
    force_refresh = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(max=64))
    limit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1_000_000))


class FetchesQuerySchema(_Base):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_FETCHES))


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


class _OptionalRange(_Base):
    from_date = fields.Date(load_default=None)
    to_date = fields.Date(load_default=None)

    @validates_schema
    def dates_in_order(self, data: dict, **_: object) -> None:
        if data["from_date"] and data["to_date"] and data["from_date"] > data["to_date"]:
            raise ValidationError("from_date must not be after to_date", "from_date")


class CandlesQuerySchema(_OptionalRange):
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100_000))


class ExportQuerySchema(_OptionalRange):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "parquet", "xlsx"]))
