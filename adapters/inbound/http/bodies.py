"""Request bodies as every route reads them: JSON, checked by a schema that refuses unknown fields."""

from __future__ import annotations

from flask import request
from marshmallow import Schema

from adapters.inbound.schemas import load
from domain.errors import InvalidInput


def json_body() -> object:
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the decoder recurses: not a body anyone means
        payload = None
    if payload is None:
        raise InvalidInput("Request body must be valid JSON (Content-Type: application/json)")
    return payload


def optional_body(schema: Schema) -> dict:
    """A POST whose body is optional (cancel, resume, logout): no body or one `schema` accepts; a field it does not
    know is a 400 rather than ignored (a client sending `{"force": true}` must learn that nothing forces)."""
    return load(schema, json_body()) if request.get_data(cache=True) else {}
