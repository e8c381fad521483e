"""The API's OpenAPI 3 document, generated from the same marshmallow schemas that validate requests."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from adapters.inbound.schemas import (
    BatchSchema,
    CandlesQuerySchema,
    ExportQuerySchema,
    FetchDerivativesSchema,
    FetchEquitySchema,
    FetchesQuerySchema,
    InstrumentsQuerySchema,
)
from application.job import ItemStatus, JobOutcome, JobStatus
from domain.interval import Interval
from domain.market import Exchange, Segment

blueprint = Blueprint("openapi", __name__)

ERROR = {"type": "object", "required": ["success", "error", "error_type"],
         "properties": {"success": {"type": "boolean", "enum": [False]}, "error": {"type": "string"},
                        "error_type": {"type": "string"}}}
FETCH_RESULT = {"type": "object", "required": ["success", "symbol", "interval", "records", "date_range",
                                               "elapsed_seconds"],
                "properties": {"success": {"type": "boolean"}, "symbol": {"type": "string"},
                               "exchange": {"type": "string"}, "interval": {"type": "string"},
                               "records": {"type": "integer"}, "rejected": {"type": "integer"},
                               "date_range": {"type": "string"}, "elapsed_seconds": {"type": "number"},
                               "message": {"type": "string"}}}
_NULLABLE_STRING = {"type": "string", "nullable": True}
FETCHES = {"type": "object", "required": ["success", "fetches"], "properties": {
    "success": {"type": "boolean", "enum": [True]},
    "fetches": {"type": "array", "description": "newest first", "items": {
        "type": "object",
        "required": ["time", "exchange", "symbol", "interval", "records", "rejected", "requests", "elapsed_seconds",
                     "status", "error_type", "error"],
        "properties": {"time": {"type": "string", "format": "date-time", "description": "when it ended, IST"},
                       "exchange": {**_NULLABLE_STRING, "description": "null: none asked and the symbol did not "
                                                                       "resolve"},
                       "symbol": {"type": "string"}, "interval": {"type": "string"},
                       "records": {"type": "integer"}, "rejected": {"type": "integer"},
                       "requests": {"type": "integer"}, "elapsed_seconds": {"type": "number"},
                       "status": {"type": "string", "enum": ["ok", "failed"]},
                       "error_type": _NULLABLE_STRING, "error": _NULLABLE_STRING}}}}}
_COUNT = {"type": "integer"}
JOB = {"type": "object", "required": ["success", "job_id", "status", "outcome", "progress", "items"],
       "properties": {"success": {"type": "boolean"}, "job_id": {"type": "string"},
                      "status": {"type": "string", "enum": [s.value for s in JobStatus]},
                      "outcome": {"type": "string", "enum": [o.value for o in JobOutcome],
                                  "description": "partial: some items failed; failed: all of them did"},
                      "progress": {"type": "number"}, "created_at": _COUNT, "updated_at": _COUNT,
                      "finished_at": {"type": "integer", "nullable": True}, "total": _COUNT, "successful": _COUNT,
                      "failed": _COUNT, "pending": _COUNT, "cancelled": _COUNT,
                      "items": {"type": "array", "items": {"type": "object", "properties": {
                          "symbol": {"type": "string"},
                          "status": {"type": "string", "enum": [s.value for s in ItemStatus]},
                          "requests_done": _COUNT, "requests_total": _COUNT, "records": _COUNT,
                          "rejected": _COUNT, "elapsed_seconds": {"type": "number"}, "error": {"type": "string"},
                          "error_type": {"type": "string"}, "request": {"type": "object"}}}}}}
_TOKEN_SOURCE = {"type": "string", "nullable": True, "enum": ["session", "token_file", "environment", None]}
AUTH_STATUS = {"type": "object",
               "required": ["success", "authenticated", "user_id", "user_name", "source", "csrf_token"],
               "properties": {"success": {"type": "boolean", "enum": [True]}, "authenticated": {"type": "boolean"},
                              "user_id": _NULLABLE_STRING, "user_name": _NULLABLE_STRING,
                              "source": {**_TOKEN_SOURCE, "description": "where the token in use comes from "
                                                                        "(never the token)"},
                              "csrf_token": {"type": "string"},
                              "message": {"type": "string", "description": "why not authenticated"}}}
LOGOUT = {"type": "object", "required": ["success", "logged_out", "still_active", "message"],
          "properties": {"success": {"type": "boolean", "enum": [True]},
                         "logged_out": {**_TOKEN_SOURCE, "description": "the source of the token logged out of; "
                                                                        "null: nothing was logged out"},
                         "still_active": {**_TOKEN_SOURCE, "description": "the source of the token used from now on"},
                         "message": {"type": "string"}}}
_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERRORS = {str(code): {"description": text, "content": _ERROR_REF}
           for code, text in ((400, "invalid request"), (401, "no usable Kite token"), (403, "forbidden"),
                              (404, "unknown symbol or route"), (409, "store or job state conflict"),
                              (413, "body too large"), (502, "Kite failed after retries"), (503, "store busy"))}


def _ok(schema: dict | str) -> dict:
    body = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"200": {"description": "success", "content": {"application/json": {"schema": body}}}, **_ERRORS}


_ENUMS = {"exchange": [e.value for e in Exchange], "segment": [s.value for s in Segment],
          "interval": [i.value for i in Interval]}


def _path_params(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True,
             "schema": {"type": "string", **({"enum": _ENUMS[n]} if n in _ENUMS else {"minLength": 1})}}
            for n in names]


@cache
def build_spec() -> dict:
    spec = APISpec(title="kitefetch", version="0.1.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Error", ERROR)
    spec.components.schema("FetchResult", FETCH_RESULT)
    spec.components.schema("Job", JOB)
    spec.components.schema("FetchEquity", schema=FetchEquitySchema)
    spec.components.schema("FetchDerivatives", schema=FetchDerivativesSchema)
    spec.components.schema("Batch", schema=BatchSchema)
    spec.components.schema("Fetches", FETCHES)
    spec.components.schema("AuthStatus", AUTH_STATUS)
    spec.components.schema("Logout", LOGOUT)

    def json_body(name: str) -> dict:
        return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}

    obj = {"type": "object"}
    spec.path("/api/data/fetch-equity", operations={"post": {"requestBody": json_body("FetchEquity"),
                                                             "responses": _ok("FetchResult")}})
    spec.path("/api/data/fetch-derivatives", operations={"post": {"requestBody": json_body("FetchDerivatives"),
                                                                  "responses": _ok("FetchResult")}})
    spec.path("/api/data/fetch-batch", operations={"post": {"requestBody": json_body("Batch"), "responses": _ok(obj)}})
    spec.path("/api/data/fetches", operations={"get": {
        "parameters": [{"in": "query", "schema": FetchesQuerySchema}], "responses": _ok("Fetches")}})
    spec.path("/api/data/instruments/{exchange}", operations={"get": {
        "parameters": _path_params("exchange") + [{"in": "query", "schema": InstrumentsQuerySchema}],
        "responses": _ok(obj)}})
    spec.path("/api/data/lookup/{exchange}/{symbol}", operations={"get": {
        "parameters": _path_params("exchange", "symbol"), "responses": _ok(obj)}})
    spec.path("/api/data/database-info/{segment}", operations={"get": {
        "parameters": _path_params("segment"), "responses": _ok(obj)}})
    spec.path("/api/data/existing-range/{exchange}/{symbol}/{interval}", operations={"get": {
        "parameters": _path_params("exchange", "symbol", "interval"), "responses": _ok(obj)}})
    spec.path("/api/data/candles/{exchange}/{symbol}/{interval}", operations={"get": {
        "parameters": _path_params("exchange", "symbol", "interval") + [{"in": "query", "schema": CandlesQuerySchema}],
        "responses": _ok(obj)}})
    spec.path("/api/data/export/{exchange}/{symbol}/{interval}", operations={"get": {
        "parameters": _path_params("exchange", "symbol", "interval") + [{"in": "query", "schema": ExportQuerySchema}],
        "responses": {"200": {"description": "a file download"}, **_ERRORS}}})
    job = {"parameters": [{"name": "job_id", "in": "path", "required": True,
                           "schema": {"type": "string", "minLength": 1}}]}
    job_ref = {"$ref": "#/components/schemas/Job"}
    spec.path("/api/jobs", operations={
        "post": {"description": "Every item is validated first: one that could never run is a 400 naming it "
                                "(`requests[2].interval: ...`) and no job is started.",
                 "requestBody": json_body("Batch"), "responses": {
                     "202": {"description": "job accepted", "content": {"application/json": {"schema": job_ref}}},
                     **_ERRORS}},
        "get": {"responses": _ok({"type": "object", "properties": {
            "success": {"type": "boolean"}, "jobs": {"type": "array", "items": job_ref}}})}})
    spec.path("/api/jobs/{job_id}", operations={"get": {**job, "responses": _ok("Job")}})
    spec.path("/api/jobs/{job_id}/events", operations={"get": {**job, "responses": {
        "200": {"description": "Server-Sent Events: progress ... done",
                "content": {"text/event-stream": {"schema": {"type": "string"}}}}, **_ERRORS}}})
    spec.path("/api/jobs/{job_id}/cancel", operations={"post": {
        **job, "description": "A queued or running job is `cancelling` until its runner stops, then `cancelled`.",
        "responses": _ok("Job")}})
    spec.path("/api/jobs/{job_id}/resume", operations={"post": {**job, "responses": {
        "202": {"description": "job queued again", "content": {"application/json": {"schema": job_ref}}},
        **_ERRORS}}})
    spec.path("/auth/status", operations={"get": {"responses": _ok("AuthStatus")}})
    spec.path("/auth/logout", operations={"post": {"responses": _ok("Logout")}})
    spec.path("/auth/key", operations={"post": {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}}}}}},
        "responses": _ok(obj)}})
    return spec.to_dict()


@blueprint.get("/api/openapi.json")
def openapi_document():
    return jsonify(build_spec())
