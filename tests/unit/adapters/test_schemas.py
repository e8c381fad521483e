"""Request schemas refuse what a body should not hold, and the OpenAPI document states what they check."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.inbound.http.openapi import build_spec
from adapters.inbound.schemas import (
    DATE_PATTERN,
    ApiKeySchema,
    BatchItemSchema,
    BatchSchema,
    CandlesQuerySchema,
    EmptyBodySchema,
    ExportQuerySchema,
    FetchDerivativesSchema,
    FetchEquitySchema,
    FetchesQuerySchema,
    InstrumentsQuerySchema,
    LogoutSchema,
    TrackFuturesSchema,
    TrackOptionsSchema,
    TrackSeriesSchema,
    load,
)
from domain.date_range import EARLIEST, LATEST
from domain.errors import InvalidInput
from domain.instrument import SYMBOL_PATTERN

FETCH = {"symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-31"}


@pytest.mark.parametrize(("schema", "body"), [
    (FetchEquitySchema, FETCH), (FetchDerivativesSchema, {**FETCH, "exchange": "NFO"}),
    (BatchItemSchema, {**FETCH, "segment": "EQUITY"}), (BatchSchema, {"requests": [{}]}),
    (EmptyBodySchema, {}), (LogoutSchema, {}), (ApiKeySchema, {"key": "k"}),
    (TrackSeriesSchema, {"exchange": "NSE", "symbol": "TCS", "intervals": ["day"], "from_date": "2015-01-01"}),
    (TrackOptionsSchema, {"rule": "options", "exchange": "NFO", "underlying": "NIFTY", "expiries": 1, "strikes": 0,
                          "intervals": ["minute"]}),
    (TrackFuturesSchema, {"rule": "futures", "exchange": "bfo", "underlying": "SENSEX", "intervals": ["day"]}),
])
def test_every_body_refuses_a_field_it_does_not_know_by_name(schema, body):
    load(schema(), body)
    with pytest.raises(InvalidInput, match=r"^intervall: unknown field$"):
        load(schema(), {**body, "intervall": "minute"})


@pytest.mark.parametrize("schema", [FetchesQuerySchema, InstrumentsQuerySchema, CandlesQuerySchema,
                                    ExportQuerySchema])
def test_query_strings_ignore_parameters_they_do_not_know(schema):
    assert "_" not in load(schema(), {"_": "1733000000", "utm_source": "mail"})


def test_exchanges_in_any_case_and_dates_in_the_stores_range():
    assert load(FetchEquitySchema(), {**FETCH, "exchange": "bse"})["exchange"] == "BSE"
    with pytest.raises(InvalidInput, match="exchange: .*derivatives segment"):
        load(FetchEquitySchema(), {**FETCH, "exchange": "nfo"})
    with pytest.raises(InvalidInput, match="^from_date: 1970-01-01 is outside 1970-01-02 to 2200-01-01$"):
        load(FetchEquitySchema(), {**FETCH, "from_date": "1970-01-01"})


@given(st.dates())
def test_the_date_pattern_admits_exactly_the_stores_range(day: date):
    assert (re.match(DATE_PATTERN, day.isoformat()) is not None) == (EARLIEST <= day <= LATEST)


def test_request_bodies_are_closed_and_the_rules_are_in_the_document():
    spec = build_spec()
    schemas = spec["components"]["schemas"]
    shapes = [op["requestBody"]["content"]["application/json"]["schema"]
              for path in spec["paths"].values() for op in path.values() if "requestBody" in op]
    bodies = [one["$ref"].rsplit("/", 1)[1] for shape in shapes for one in shape.get("oneOf", [shape])]
    assert {"FetchEquity", "FetchDerivatives", "Batch", "EmptyBody", "LogoutBody", "ApiKeyBody", "TrackSeries",
            "TrackOptions", "TrackFutures"} <= set(bodies)
    for name in {*bodies, "BatchItem"}:
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["Batch"]["properties"]["requests"]["items"] == {"$ref": "#/components/schemas/BatchItem"}
    equity = schemas["FetchEquity"]["properties"]
    assert equity["symbol"]["pattern"] == SYMBOL_PATTERN and equity["exchange"]["enum"] == ["NSE", "BSE", None]
    assert equity["interval"]["enum"][0] == "minute" and equity["from_date"]["pattern"] == DATE_PATTERN
    assert re.match(equity["to_date"]["pattern"], "today") and re.match(equity["to_date"]["pattern"], "2024-01-31")
    assert "format" not in equity["to_date"]  # `today` is no date-time format
    candles = spec["paths"]["/api/data/candles/{exchange}/{symbol}/{interval}"]["get"]["parameters"]
    by_name = {p["name"]: p for p in candles}
    assert by_name["symbol"]["schema"]["pattern"] == SYMBOL_PATTERN and by_name["symbol"]["schema"]["maxLength"] == 64
    assert by_name["exchange"]["schema"]["enum"] == ["NSE", "BSE", "NFO", "BFO"]
    assert "nullable" not in by_name["from_date"]["schema"]  # a query string has no null


def test_the_tracked_bodies_state_their_bounds_and_take_one_rule_each():
    schemas = build_spec()["components"]["schemas"]
    options = schemas["TrackOptions"]["properties"]
    assert (options["expiries"]["minimum"], options["expiries"]["maximum"]) == (1, 6)
    assert (options["strikes"]["minimum"], options["strikes"]["maximum"]) == (0, 50)
    assert options["rule"]["enum"] == ["options"] and schemas["TrackFutures"]["properties"]["rule"]["enum"] == [
        "futures"]
    assert "rule" not in schemas["TrackSeries"]["properties"]  # so exactly one of the three matches a body
    assert options["intervals"]["uniqueItems"] is True and options["intervals"]["minItems"] == 1
    assert re.match(options["underlying_symbol"]["pattern"], "nse:NIFTY 50")
    assert not re.match(options["underlying_symbol"]["pattern"], "NFO:NIFTY24JUNFUT")
    with pytest.raises(InvalidInput, match="^expiries: Not a valid integer.$"):
        load(TrackOptionsSchema(), {"rule": "options", "exchange": "NFO", "underlying": "NIFTY", "expiries": "2",
                                    "strikes": 0, "intervals": ["day"]})


def test_the_job_event_stream_is_documented_as_events_carrying_the_job():
    spec = build_spec()
    ok = spec["paths"]["/api/jobs/{job_id}/events"]["get"]["responses"]["200"]
    stream = ok["content"]["text/event-stream"]
    assert stream["x-item-schema"] == {"$ref": "#/components/schemas/JobEvent"}
    assert "`progress`" in ok["description"] and "`done`" in ok["description"]
    event = spec["components"]["schemas"]["JobEvent"]["properties"]
    assert event["event"]["enum"] == ["progress", "done"] and event["data"] == {"$ref": "#/components/schemas/Job"}


def test_to_date_today_is_the_ist_day_the_request_is_read():
    from adapters.inbound.schemas import FetchEquitySchema, today_ist

    loaded = FetchEquitySchema().load({**FETCH, "to_date": " Today "})
    assert loaded["to_date"] == today_ist()
    assert "today" in str(FetchEquitySchema().validate({**FETCH, "to_date": "yesterday"})["to_date"])
    assert FetchEquitySchema().validate({**FETCH, "from_date": "today"})  # only the last day may be `today`
