"""The API's OpenAPI 3 document, generated from the same marshmallow schemas that validate requests."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from adapters.inbound.http.job_bodies import LIVE_FAILED, LIVE_FINISHED, LIVE_ITEMS_MAX, LIVE_RUNNING
from adapters.inbound.schemas import (
    ANY_CASE,
    EXCHANGES,
    INTERVALS,
    SYMBOL_DESCRIPTION,
    ApiKeySchema,
    BatchItemSchema,
    BatchSchema,
    CandlesQuerySchema,
    DatabaseInfoQuerySchema,
    EmptyBodySchema,
    ExportQuerySchema,
    FetchDerivativesSchema,
    FetchEquitySchema,
    FetchesQuerySchema,
    GapsQuerySchema,
    InstrumentsQuerySchema,
    JobItemsQuerySchema,
    LogoutSchema,
    SyncSchema,
    TrackedQuerySchema,
    TrackFuturesSchema,
    TrackOptionsSchema,
    TrackSeriesSchema,
    VerifySchema,
)
from application.job import ItemStatus, JobKind, JobOrigin, JobOutcome, JobStatus
from domain.instrument import MAX_SYMBOL_LENGTH, SYMBOL_PATTERN
from domain.market import Segment

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
                               "message": {"type": "string"},
                               "warnings": {"type": "array", "items": {"type": "string"},
                                            "description": "stored, but worth a look: a day-over-day move beyond "
                                                           "±35 % with no recorded corporate action, a series left "
                                                           "stale"},
                               "adjustments": {"type": "array", "items": {"$ref": "#/components/schemas/Adjustment"},
                                               "description": "what Kite changed in the stored past, found or "
                                                              "healed by this fetch"}}}
_NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}
ADJUSTMENT = {"type": "object", "required": ["kind", "ex_date", "factor", "detected_at", "series", "candles_replaced",
                                             "requests", "status"],
              "properties": {"kind": {"type": "string", "enum": ["corporate_action", "revision"]},
                             "ex_date": {**_NULLABLE_DATE, "description": "corporate actions: the first day Kite "
                                                                          "serves unchanged (IST)"},
                             "factor": {"type": "number", "nullable": True,
                                        "description": "old price / adjusted price (2.0 for a 1:1 bonus)"},
                             "detected_at": {"type": "string", "format": "date-time", "description": "IST"},
                             "series": {"type": "array", "items": {"type": "string"},
                                        "description": "EXCHANGE:SYMBOL:INTERVAL"},
                             "pending": {"type": "array", "items": {"type": "string"},
                                         "description": "series still holding Kite's old candles"},
                             "candles_replaced": {"type": "integer"}, "requests": {"type": "integer"},
                             "status": {"type": "string", "enum": ["healed", "stale"]}}}
ADJUSTMENTS = {"type": "object", "required": ["success", "exchange", "symbol", "events"],
               "properties": {"success": {"type": "boolean", "enum": [True]}, "exchange": {"type": "string"},
                              "symbol": {"type": "string"},
                              "events": {"type": "array", "description": "oldest first",
                                         "items": {"$ref": "#/components/schemas/Adjustment"}}}}
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
                       "error_type": _NULLABLE_STRING, "error": _NULLABLE_STRING,
                       "warnings": {"type": "array", "items": {"type": "string"}}}}}}}
_COUNT = {"type": "integer"}
_DAY = {"type": "string", "format": "date", "description": "an IST day"}
GAPS = {"type": "object",
        "required": ["success", "exchange", "symbol", "interval", "from_date", "to_date", "sessions_expected",
                     "sessions_with_candles", "never_fetched", "fetched_empty", "partial", "out_of_session",
                     "estimated"],
        "description": "From metadata only (the coverage ledger, the trading calendar, candles per day). A session "
                       "day is a day with at least one session; a day is fetched when the ledger covers any of its "
                       "session time.",
        "properties": {
            "success": {"type": "boolean", "enum": [True]}, "exchange": {"type": "string"},
            "symbol": {"type": "string", "description": "as stored"}, "interval": {"type": "string"},
            "from_date": _DAY, "to_date": _DAY,
            "sessions_expected": {"type": "integer", "description": "session days in the range"},
            "sessions_with_candles": {"type": "integer", "description": "session days holding a stored candle"},
            "never_fetched": {"type": "array", "description": "runs of consecutive session days Kite was never "
                                                              "asked for, as inclusive [first, last] days",
                              "items": {"type": "array", "items": _DAY, "minItems": 2, "maxItems": 2}},
            "fetched_empty": {"type": "array", "items": _DAY,
                              "description": "session days fetched without a candle (suspended, not yet listed)"},
            "partial": {"type": "array", "description": "intraday only: fetched session days with fewer candles "
                                                        "than their sessions' grids hold (information, not an error)",
                        "items": {"type": "object", "required": ["date", "candles", "expected"],
                                  "properties": {"date": _DAY, "candles": _COUNT, "expected": _COUNT}}},
            "out_of_session": {"type": "array", "description": "days held back: Kite served candles there that no "
                                                               "session the calendar knows explains; fetched once "
                                                               "it learns one",
                               "items": {"type": "object", "required": ["date", "candles"],
                                         "properties": {"date": _DAY, "candles": _COUNT}}},
            "estimated": {"type": "boolean", "description": "the range holds sessions guessed by the weekday rule "
                                                           "(beyond the calendar library's years)"}}}
JOB = {"type": "object", "required": ["success", "job_id", "status", "outcome", "progress", "items"],
       "properties": {"success": {"type": "boolean"}, "job_id": {"type": "string"},
                      "status": {"type": "string", "enum": [s.value for s in JobStatus]},
                      "outcome": {"type": "string", "enum": [o.value for o in JobOutcome],
                                  "description": "partial: some items failed; failed: all of them did"},
                      "progress": {"type": "number"}, "created_at": _COUNT, "updated_at": _COUNT,
                      "finished_at": {"type": "integer", "nullable": True}, "total": _COUNT, "successful": _COUNT,
                      "failed": _COUNT, "pending": _COUNT, "cancelled": _COUNT,
                      "series_updated": {**_COUNT, "description": "items that stored candles (records > 0)"},
                      "candles_added": {**_COUNT, "description": "the items' records, summed"},
                      "requests": {**_COUNT, "description": "the items' requests_done, summed"},
                      "items_total": {**_COUNT, "description": "items the list is chosen from: every item, or "
                                                               "those in the states asked (item_status)"},
                      "items_partial": {"type": "boolean",
                                        "description": "`items` lists fewer than items_total: a page, or a large "
                                                       "job's live event"},
                      "offset": _COUNT, "limit": {"type": "integer", "nullable": True},
                      "item_status": {"type": "array", "nullable": True,
                                      "items": {"type": "string", "enum": [s.value for s in ItemStatus]}},
                      "items": {"type": "array", "items": {"type": "object", "properties": {
                          "index": {**_COUNT, "description": "the item's place in the job, from 0; present when "
                                                             "the list is not every item in order"},
                          "symbol": {"type": "string"},
                          "kind": {"type": "string", "enum": [k.value for k in JobKind]},
                          "status": {"type": "string", "enum": [s.value for s in ItemStatus]},
                          "requests_done": _COUNT, "requests_total": _COUNT, "records": _COUNT,
                          "rejected": _COUNT, "elapsed_seconds": {"type": "number"}, "error": {"type": "string"},
                          "error_type": {"type": "string"}, "request": {"type": "object"}}}},
                      "origin": {"type": "string", "enum": [o.value for o in JobOrigin]},
                      "summary": {"type": "object", "description": "a sync's: series found up to date (no item), "
                                                                   "contracts skipped as finished, tracked entries "
                                                                   "not resolved",
                                  "properties": {"up_to_date": _COUNT, "finished": _COUNT,
                                                 "not_resolved": {"type": "array", "items": {"type": "object"}}}}}}
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
_INTERVAL_LIST = {"type": "array", "items": {"type": "string", "enum": INTERVALS}}
_NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}
TRACKED = {"type": "object", "required": ["id", "rule", "exchange", "intervals", "from_date", "created_at"],
           "description": "As POSTed, with its id. `rule` null: one symbol (`symbol`); options and futures rules name "
                          "their `underlying`. An options rule's `underlying_symbol` is the one in use.",
           "properties": {"id": {"type": "string"},
                          "rule": {"type": "string", "nullable": True, "enum": ["options", "futures", None]},
                          "exchange": {"type": "string", "enum": EXCHANGES}, "symbol": {"type": "string"},
                          "underlying": {"type": "string"}, "expiries": {"type": "integer"},
                          "strikes": {"type": "integer"}, "underlying_symbol": {"type": "string"},
                          "intervals": _INTERVAL_LIST,
                          "from_date": {**_NULLABLE_DATE, "description": "null: from each contract's first candle"},
                          "created_at": {"type": "string", "format": "date-time"}}}
_TRACKED_REF = {"$ref": "#/components/schemas/Tracked"}
CONTRACTS = {"type": "object", "required": ["success", "id", "count", "contracts", "underlying"], "properties": {
    "success": {"type": "boolean", "enum": [True]}, "id": {"type": "string"}, "count": {"type": "integer"},
    "contracts": {"type": "array", "items": {
        "type": "object", "required": ["exchange", "symbol", "expiry", "strike", "instrument_type"],
        "properties": {"exchange": {"type": "string"}, "symbol": {"type": "string"}, "expiry": _NULLABLE_DATE,
                       "strike": {"type": "number", "nullable": True, "description": "options only"},
                       "instrument_type": {"type": "string"}}}},
    "underlying": {"type": "object", "nullable": True, "description": "options rules: the close the strikes are "
                                                                      "chosen around",
                   "properties": {"symbol": {"type": "string"}, "close": {"type": "number"},
                                  "date": {"type": "string", "format": "date"}}}}}
_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERRORS = {str(code): {"description": text, "content": _ERROR_REF}
           for code, text in ((400, "invalid request"), (401, "no usable Kite token"), (403, "forbidden"),
                              (404, "unknown symbol or route"), (409, "store or job state conflict"),
                              (413, "body too large"), (502, "Kite failed after retries"),
                              (503, "store busy, or the data dir cannot be written (read-only, no permission)"),
                              (507, "disk full where the data dir is: nothing was stored; retry once space is freed"))}


def _ok(schema: dict | str) -> dict:
    body = {"$ref": f"#/components/schemas/{schema}"} if isinstance(schema, str) else schema
    return {"200": {"description": "success", "content": {"application/json": {"schema": body}}}, **_ERRORS}


_PATH_PARAMS: dict[str, dict] = {
    "exchange": {"description": ANY_CASE, "schema": {"type": "string", "enum": EXCHANGES}},
    "segment": {"description": ANY_CASE, "schema": {"type": "string", "enum": [s.value for s in Segment]}},
    "interval": {"schema": {"type": "string", "enum": INTERVALS}},
    "symbol": {"description": f"{SYMBOL_DESCRIPTION}; URL-encoded, `/` included",
               "schema": {"type": "string", "minLength": 1, "maxLength": MAX_SYMBOL_LENGTH, "pattern": SYMBOL_PATTERN}},
}
SYNC_STARTED = {"type": "object", "required": ["success", "job_id", "series", "skipped"], "properties": {
    "success": {"type": "boolean", "enum": [True]}, "job_id": {"type": "string"},
    "status": {"type": "string", "enum": [s.value for s in JobStatus],
               "description": "the job's: `completed` already when no series had anything due"},
    "series": {"type": "integer", "description": "series the sync keeps current: due plus up_to_date"},
    "due": {"type": "integer", "description": "series with a request due: the job's items"},
    "up_to_date": {"type": "integer", "description": "series with nothing due: no item, no request"},
    "skipped": {"type": "array", "items": {"type": "object", "required": ["series", "reason", "finished"],
                                           "properties": {
        "series": {"type": "string", "description": "EXCHANGE:SYMBOL:interval, or the tracked id that failed"},
        "reason": {"type": "string"},
        "finished": {"type": "boolean", "description": "an expired contract: done for good, not an error"},
        "tracked_id": _NULLABLE_STRING, "error_type": _NULLABLE_STRING}}}}}
_DATES_IN_ORDER = "from_date must not be after to_date (a rule JSON Schema cannot state); both are inclusive."
# Server-Sent Events have no JSON Schema in OpenAPI 3.0 (3.2 adds `itemSchema`): the wire format is described
# in words, and each event's fields are typed by JobEvent, linked under that name.
JOB_EVENT = {"type": "object", "required": ["event", "data"],
             "description": "One Server-Sent Event as sent: the line `event: <event>`, the line `data: <data as "
                            "one line of JSON>`, then a blank line.",
             "properties": {"event": {"type": "string", "enum": ["progress", "done"]},
                            "data": {"$ref": "#/components/schemas/Job"}}}
_EVENTS_DESCRIPTION = (
    "Server-Sent Events (`text/event-stream`), each typed by the JobEvent schema: `progress` whenever the job "
    "changes (status, progress or counts), then one `done` once it stops (completed, failed, cancelled or "
    "interrupted), after which the stream ends. Each `data:` is the job as GET /api/jobs/{job_id} returns it; "
    f"for a job of more than {LIVE_ITEMS_MAX} items, its `items` are those running (up to {LIVE_RUNNING}), the last "
    f"{LIVE_FAILED} that failed and the last {LIVE_FINISHED} done, in the job's order, each with its `index`, and "
    "`items_partial` is true (the totals still count every item; GET with item_status, offset and limit lists the "
    "others). "
    "Comment lines (`: heartbeat`) keep an idle stream open every 15 s; a stream closes after 6 hours.")


def _path_params(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True, **_PATH_PARAMS[n]} for n in names]


@cache
def build_spec() -> dict:
    spec = APISpec(title="kitefetch", version="0.1.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Error", ERROR)
    spec.components.schema("FetchResult", FETCH_RESULT)
    spec.components.schema("Job", JOB)
    spec.components.schema("FetchEquity", schema=FetchEquitySchema)
    spec.components.schema("FetchDerivatives", schema=FetchDerivativesSchema)
    spec.components.schema("BatchItem", schema=BatchItemSchema)
    spec.components.schema("Batch", schema=BatchSchema)
    spec.components.schema("EmptyBody", schema=EmptyBodySchema)
    spec.components.schema("LogoutBody", schema=LogoutSchema)
    spec.components.schema("ApiKeyBody", schema=ApiKeySchema)
    spec.components.schema("JobEvent", JOB_EVENT)
    spec.components.schema("Fetches", FETCHES)
    spec.components.schema("AuthStatus", AUTH_STATUS)
    spec.components.schema("Logout", LOGOUT)
    spec.components.schema("Adjustment", ADJUSTMENT)
    spec.components.schema("Adjustments", ADJUSTMENTS)
    spec.components.schema("VerifyBody", schema=VerifySchema)
    spec.components.schema("Gaps", GAPS)
    spec.components.schema("TrackSeries", schema=TrackSeriesSchema)
    spec.components.schema("TrackOptions", schema=TrackOptionsSchema)
    spec.components.schema("TrackFutures", schema=TrackFuturesSchema)
    spec.components.schema("Tracked", TRACKED)
    spec.components.schema("Contracts", CONTRACTS)
    spec.components.schema("SyncBody", schema=SyncSchema)
    spec.components.schema("SyncStarted", SYNC_STARTED)

    def json_body(name: str, description: str = _DATES_IN_ORDER, required: bool = True) -> dict:
        return {"required": required, "description": description,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}

    no_body = json_body("EmptyBody", "none, or an empty object", required=False)

    obj = {"type": "object"}
    spec.path("/api/data/fetch-equity", operations={"post": {"requestBody": json_body("FetchEquity"),
                                                             "responses": _ok("FetchResult")}})
    spec.path("/api/data/fetch-derivatives", operations={"post": {"requestBody": json_body("FetchDerivatives"),
                                                                  "responses": _ok("FetchResult")}})
    spec.path("/api/data/fetch-batch", operations={"post": {
        "description": "Each item is checked and run on its own: a bad item is a failed result in the 200, not a 400 "
                       "(an unknown field in the envelope is a 400).",
        "requestBody": json_body("Batch", f"In each item: {_DATES_IN_ORDER}"), "responses": _ok(obj)}})
    spec.path("/api/data/fetches", operations={"get": {
        "parameters": [{"in": "query", "schema": FetchesQuerySchema}], "responses": _ok("Fetches")}})
    spec.path("/api/data/instruments/{exchange}", operations={"get": {
        "parameters": _path_params("exchange") + [{"in": "query", "schema": InstrumentsQuerySchema}],
        "responses": _ok(obj)}})
    spec.path("/api/data/lookup/{exchange}/{symbol}", operations={"get": {
        "parameters": _path_params("exchange", "symbol"), "responses": _ok(obj)}})
    spec.path("/api/data/database-info/{segment}", operations={"get": {
        "description": "The segment database's file and its datasets, in the order exchange, symbol, interval; "
                       "`total_datasets` counts them all. With `offset` or `limit` a page of them, and the body "
                       "echoes both.",
        "parameters": _path_params("segment") + [{"in": "query", "schema": DatabaseInfoQuerySchema}],
        "responses": _ok(obj)}})
    spec.path("/api/data/existing-range/{exchange}/{symbol}/{interval}", operations={"get": {
        "parameters": _path_params("exchange", "symbol", "interval"), "responses": _ok(obj)}})
    spec.path("/api/data/gaps/{exchange}/{symbol}/{interval}", operations={"get": {
        "description": "What a stored series lacks, by session day. Absent dates default to the series' stored "
                       f"span. {_DATES_IN_ORDER} An unknown series is a 404.",
        "parameters": _path_params("exchange", "symbol", "interval") + [{"in": "query", "schema": GapsQuerySchema}],
        "responses": _ok("Gaps")}})
    spec.path("/api/data/candles/{exchange}/{symbol}/{interval}", operations={"get": {
        "parameters": _path_params("exchange", "symbol", "interval") + [{"in": "query", "schema": CandlesQuerySchema}],
        "responses": _ok(obj)}})
    spec.path("/api/data/export/{exchange}/{symbol}/{interval}", operations={"get": {
        "parameters": _path_params("exchange", "symbol", "interval") + [{"in": "query", "schema": ExportQuerySchema}],
        "responses": {"200": {"description": "a file download"}, **_ERRORS}}})
    spec.path("/api/data/adjustments/{exchange}/{symbol}", operations={"get": {
        "description": "What Kite changed in the instrument's stored history (corporate actions back-adjusted, "
                       "revised candles) and how kitefetch healed it; 404 when no series of it is stored.",
        "parameters": _path_params("exchange", "symbol"), "responses": _ok("Adjustments")}})
    spec.path("/api/data/verify", operations={"post": {
        "description": "Start a job (see /api/jobs) asking Kite for every stored day history again (ceil(days / "
                       "2000) requests per instrument) and healing what changed: one instrument, every stored one "
                       "of an exchange, or everything (no body). While the same verify runs, it is the answer.",
        "requestBody": json_body("VerifyBody", "none, or an object", required=False),
        "responses": {"202": {"description": "job accepted", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Job"}}}}, **_ERRORS}}})
    job = {"parameters": [{"name": "job_id", "in": "path", "required": True,
                           "schema": {"type": "string", "minLength": 1}}]}
    job_ref = {"$ref": "#/components/schemas/Job"}
    spec.path("/api/jobs", operations={
        "post": {"description": "Every item is validated first: one that could never run is a 400 naming it "
                                "(`requests[2].interval: ...`) and no job is started.",
                 "requestBody": json_body("Batch", f"In each item: {_DATES_IN_ORDER}"), "responses": {
                     "202": {"description": "job accepted", "content": {"application/json": {"schema": job_ref}}},
                     **_ERRORS}},
        "get": {"responses": _ok({"type": "object", "properties": {
            "success": {"type": "boolean"}, "jobs": {"type": "array", "items": job_ref}}})}})
    spec.path("/api/jobs/{job_id}", operations={"get": {
        "parameters": job["parameters"] + [{"in": "query", "schema": JobItemsQuerySchema}],
        "description": "The job with every item by default. With `item_status`, `offset` or `limit`: the items in "
                       "those states (all by default), from `offset`, at most `limit` of them, each with its "
                       "`index`; `items_total` counts those in the states asked, and the body echoes the three. The "
                       "counts and totals are over every item, whatever is listed.",
        "responses": _ok("Job")}})
    spec.path("/api/jobs/{job_id}/events", operations={"get": {**job, "responses": {
        "200": {"description": _EVENTS_DESCRIPTION, "content": {"text/event-stream": {
            "schema": {"type": "string", "description": "a stream of JobEvent frames"},
            "x-item-schema": {"$ref": "#/components/schemas/JobEvent"},
            "example": 'event: progress\ndata: {"success": true, "job_id": "...", "status": "running", ...}\n\n'
                       'event: done\ndata: {"success": true, "job_id": "...", "status": "completed", ...}\n\n'}}},
        **_ERRORS}}})
    spec.path("/api/jobs/{job_id}/cancel", operations={"post": {
        **job, "description": "A queued or running job is `cancelling` until its runner stops, then `cancelled`.",
        "requestBody": no_body, "responses": _ok("Job")}})
    spec.path("/api/jobs/{job_id}/resume", operations={"post": {**job, "requestBody": no_body, "responses": {
        "202": {"description": "job queued again", "content": {"application/json": {"schema": job_ref}}},
        **_ERRORS}}})
    tracked_id = {"parameters": [{"name": "tracked_id", "in": "path", "required": True,
                                  "schema": {"type": "string", "minLength": 1}}]}
    track_body = {"required": True, "description": "One symbol (no `rule`), or an options or futures rule.",
                  "content": {"application/json": {"schema": {"oneOf": [
                      {"$ref": f"#/components/schemas/{name}"} for name in ("TrackSeries", "TrackOptions",
                                                                            "TrackFutures")]}}}}
    tracked_one = {"type": "object", "properties": {"success": {"type": "boolean"}, "tracked": _TRACKED_REF}}
    spec.path("/api/data/tracked", operations={
        "post": {"description": "An unknown symbol or underlying is a 404; a rule with no live contract of its kind a "
                                "400 naming it; a series (or a rule for the same underlying) already tracked at one "
                                "of the intervals a 409.",
                 "requestBody": track_body, "responses": {
                     "201": {"description": "tracked", "content": {"application/json": {"schema": tracked_one}}},
                     **_ERRORS}},
        "get": {"description": "Everything tracked; with `page` and/or `per_page` (50 by default) one page of it, with "
                               "`total`, `page` and `pages`.",
                "parameters": [{"in": "query", "schema": TrackedQuerySchema}],
                "responses": _ok({"type": "object", "properties": {
                    "success": {"type": "boolean"}, "tracked": {"type": "array", "items": _TRACKED_REF},
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"}}})}})
    spec.path("/api/data/tracked/{tracked_id}", operations={"delete": {
        **tracked_id, "description": "Stops tracking; the candles stored for it stay.", "requestBody": no_body,
        "responses": _ok({"type": "object", "properties": {"success": {"type": "boolean"},
                                                           "untracked": _TRACKED_REF}})}})
    spec.path("/api/data/tracked/{tracked_id}/resolve", operations={"get": {
        **tracked_id, "description": "Today's contracts (one instrument for a symbol). A rule with no live contract "
                                     "today is a 400 naming it.", "responses": _ok("Contracts")}})
    spec.path("/api/data/sync", operations={"post": {
        "description": "Brings every tracked series (resolved today) and every stored series up to the last completed "
                       "candle in one background job: one incremental fetch per series with something due (each "
                       "series is planned up front; those up to date are counted, not fetched), so a sync right "
                       "after another asks Kite for nothing and its job, with no item, is completed at once. Its "
                       "progress, cancel and resume are /api/jobs/{job_id}'s. "
                       "Expired contracts are skipped as finished; a tracked entry that cannot be resolved is skipped "
                       "with its error. Nothing to sync at all is a 400; an `only` id not tracked a 404.",
        "requestBody": json_body("SyncBody", "none, or the tracked ids to sync", required=False),
        "responses": {"202": {"description": "sync started", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/SyncStarted"}}}}, **_ERRORS}}})
    spec.path("/auth/status", operations={"get": {"responses": _ok("AuthStatus")}})
    spec.path("/auth/logout", operations={"post": {
        "requestBody": json_body("LogoutBody", "none, or an empty object", required=False),
        "responses": _ok("Logout")}})
    spec.path("/auth/key", operations={"post": {"requestBody": json_body("ApiKeyBody", "the API key"),
                                                "responses": _ok(obj)}})
    document = spec.to_dict()
    # Batch items are loaded one by one (a bad one fails alone), so BatchSchema holds them raw: name their shape.
    batch = document["components"]["schemas"]["Batch"]["properties"]["requests"]
    batch["items"] = {"$ref": "#/components/schemas/BatchItem"}
    return document


@blueprint.get("/api/openapi.json")
def openapi_document():
    return jsonify(build_spec())
