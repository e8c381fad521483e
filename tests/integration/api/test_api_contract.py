"""The live API keeps to what its OpenAPI document says: bodies refuse fields it does not list (a typo is a 400
naming it, and nothing is fetched or stored), query strings ignore them, and job events have the documented shape.
"""

from __future__ import annotations

import jsonschema_rs
import pytest
import requests

from tests.integration.api.test_jobs import sse_events

RANGE = {"from_date": "2025-02-03", "to_date": "2025-02-07"}


def refused(response: requests.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"success": False, "error": message, "error_type": "validation"}


def stored_rows(api, exchange: str, symbol: str) -> int:
    return sum(requests.get(f"{api.api}/existing-range/{exchange}/{symbol}/{interval}", timeout=10).json()["rows"]
               for interval in ("day", "minute"))


@pytest.fixture(scope="module")
def contract(api) -> str:
    """An NFO contract no other test fetches."""
    return requests.get(f"{api.api}/instruments/NFO", timeout=60).json()["instruments"][-1]["tradingsymbol"]


def test_a_typo_in_a_fetch_body_is_a_400_naming_it_and_nothing_is_stored(api, contract):
    equity = {"symbol": "MARUTI", "intervall": "minute", **RANGE}
    refused(requests.post(f"{api.api}/fetch-equity", json=equity, timeout=30), "intervall: unknown field")
    derivative = {"exchange": "NFO", "symbol": contract, "interval": "day", "overwite": True, **RANGE}
    refused(requests.post(f"{api.api}/fetch-derivatives", json=derivative, timeout=30), "overwite: unknown field")
    assert stored_rows(api, "NSE", "MARUTI") == 0 and stored_rows(api, "NFO", contract) == 0


def test_a_batch_fails_a_mistyped_item_alone_and_refuses_a_mistyped_envelope(api):
    items = [{"segment": "EQUITY", "symbol": "MARUTI", "intervall": "minute", **RANGE},
             {"segment": "EQUITY", "symbol": "NOSUCHCO", **RANGE}]
    batch = requests.post(f"{api.api}/fetch-batch", json={"requests": items}, timeout=60)
    assert batch.status_code == 200
    assert [(r["symbol"], r["error"]) for r in batch.json()["results"]] == [
        ("MARUTI", "intervall: unknown field"), ("NOSUCHCO", "Symbol 'NOSUCHCO' not found on NSE or BSE")]
    envelope = {"requests": items[1:], "dry_run": True}
    refused(requests.post(f"{api.api}/fetch-batch", json=envelope, timeout=30), "dry_run: unknown field")
    assert stored_rows(api, "NSE", "MARUTI") == 0


def test_a_job_with_a_mistyped_item_or_envelope_is_not_started(api):
    before = len(requests.get(f"{api.base}/api/jobs", timeout=10).json()["jobs"])
    good = {"segment": "EQUITY", "symbol": "MARUTI", **RANGE}
    refused(requests.post(f"{api.base}/api/jobs", json={"requests": [good, {**good, "intervall": "minute"}]},
                          timeout=30), "requests[1].intervall: unknown field")
    refused(requests.post(f"{api.base}/api/jobs", json={"requests": [good], "priority": 1}, timeout=30),
            "priority: unknown field")
    assert len(requests.get(f"{api.base}/api/jobs", timeout=10).json()["jobs"]) == before
    assert stored_rows(api, "NSE", "MARUTI") == 0


def test_cancel_and_resume_take_no_fields(api):
    job_id = requests.post(f"{api.base}/api/jobs", json={"requests": [{"segment": "EQUITY", "symbol": "NOSUCHCO",
                                                                       **RANGE}]}, timeout=30).json()["job_id"]
    sse_events(f"{api.base}/api/jobs/{job_id}/events")
    for action in ("cancel", "resume"):
        url = f"{api.base}/api/jobs/{job_id}/{action}"
        refused(requests.post(url, json={"force": True}, timeout=10), "force: unknown field")
        for empty in ({"json": {}}, {"data": b"", "headers": {"Content-Type": "application/json"}}):
            assert requests.post(url, timeout=10, **empty).status_code == 409  # a failed job: past the body check


def test_query_strings_ignore_parameters_they_do_not_know(api):
    assert requests.get(f"{api.api}/fetches?limit=3&_=1733000000", timeout=10).status_code == 200
    assert requests.get(f"{api.api}/instruments/NSE?q=INF&limit=2&utm_source=x", timeout=10).status_code == 200


def json_schema(node: object, components: dict) -> object:
    """An OpenAPI 3.0 schema as plain JSON Schema: references inlined, `nullable` as a null alternative."""
    if isinstance(node, list):
        return [json_schema(value, components) for value in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    plain = {key: json_schema(value, components) for key, value in node.items()
             if key != "nullable" and not key.startswith("x-")}
    return {"anyOf": [plain, {"type": "null"}]} if node.get("nullable") else plain


def test_job_events_are_what_the_document_says(api):
    document = requests.get(f"{api.base}/api/openapi.json", timeout=10).json()
    streamed = document["paths"]["/api/jobs/{job_id}/events"]["get"]["responses"]["200"]["content"]
    item_schema = streamed["text/event-stream"]["x-item-schema"]
    validator = jsonschema_rs.validator_for(json_schema(item_schema, document["components"]["schemas"]))
    items = [{"segment": "EQUITY", "symbol": "ITC", "interval": "30minute", **RANGE},
             {"segment": "EQUITY", "symbol": "NOSUCHCO", **RANGE}]
    job_id = requests.post(f"{api.base}/api/jobs", json={"requests": items}, timeout=30).json()["job_id"]
    events = sse_events(f"{api.base}/api/jobs/{job_id}/events")
    assert events[-1][0] == "done"
    for name, data in events:
        validator.validate({"event": name, "data": data})


def test_logout_and_the_api_key_body_refuse_fields_they_do_not_know(api):
    refused(requests.post(f"{api.base}/auth/logout", json={"everywhere": True}, timeout=10),
            "everywhere: unknown field")
    refused(requests.post(f"{api.base}/auth/key", json={"key": "x", "remember": True}, timeout=10),
            "remember: unknown field")
