"""The one table where errors become HTTP statuses, and the handlers that apply it."""

from __future__ import annotations

import structlog
from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException

from adapters.inbound.presenters import error_body
from domain.errors import (
    AuthRequired,
    Conflict,
    DomainError,
    InvalidInput,
    NotConfigured,
    NotFound,
    StorageFull,
    StorageUnavailable,
    StoreBusy,
    UpstreamFailure,
)

log = structlog.get_logger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInput: 400,
    AuthRequired: 401,
    NotFound: 404,
    StoreBusy: 503,
    Conflict: 409,
    UpstreamFailure: 502,
    NotConfigured: 503,
    StorageFull: 507,  # Insufficient Storage: the same request succeeds once space is freed
    StorageUnavailable: 503,
}

_HTTP_ERROR_TYPES = {400: "validation", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                     413: "validation", 415: "validation", 429: "rate_limited"}


def status_for(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 500


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        status = status_for(error)
        log.info("request_failed", error_type=error.error_type, status=status, error=error.message)
        return jsonify(error_body(error)), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message = {404: "Not found: no such route", 405: "Method not allowed for this route",
                   413: "Request body too large"}.get(status, error.description or error.name)
        response = jsonify(error_body(message, _HTTP_ERROR_TYPES.get(status, "http")))
        allowed = getattr(error, "valid_methods", None)
        if status == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        request_id = getattr(g, "request_id", "-")
        log.exception("unhandled_error", request_id=request_id, error_class=type(error).__name__)
        return jsonify(error_body(f"Internal error (request id {request_id})", "unknown")), 500
