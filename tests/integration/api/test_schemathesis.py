"""Property-based fuzzing of the live API from its own OpenAPI document: no 5xx, every 4xx is the envelope, and
the document states the rules the server applies, so most requests built from it are accepted.

One rule JSON Schema cannot state, `from_date` not after `to_date`, is in the document's words; cases follow it
as a client reading them would (from_date > to_date is a plain 400, tested in test_errors).

Cases come from schemathesis' strategies and run under plain hypothesis (its pytest plugin does not load on
this pytest), against `kitefetch serve` wired to the sandbox.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from adapters.inbound.schemas import TODAY, today_ist

EXAMPLES = int(os.environ.get("KITEFETCH_FUZZ_EXAMPLES", "40"))
ENVELOPE = {"success", "error", "error_type"}
# Operations whose rules (enums, symbol pattern, date bounds) the document states: a request built from it is
# accepted, or names a symbol that is not there (404). Only "from_date after to_date" cannot be stated.
DOCUMENTED = ("POST /api/data/fetch-equity", "POST /api/data/fetch-derivatives",
              "GET /api/data/lookup/{exchange}/{symbol}", "GET /api/data/candles/{exchange}/{symbol}/{interval}",
              "GET /api/data/export/{exchange}/{symbol}/{interval}",
              "GET /api/data/gaps/{exchange}/{symbol}/{interval}", "POST /api/data/tracked")
MAX_REFUSED_SHARE = 0.2
# Logging out revokes the sandbox's fixed token that every test shares: fuzzed last, then the sandbox is reset.
LAST = "POST /auth/logout"
# Each accepted sync starts a background job over every series stored by the whole session's tests, whose requests
# would land in other tests' sandbox counts: test_sync.py tests it on a server of its own.
SKIPPED = {"POST /api/data/sync"}


def _day(text: str) -> str:
    """`today` (a to_date may say so) as the day it means, to compare with a from_date."""
    return today_ist().isoformat() if text.strip().lower() == TODAY else text


def dates_in_order(case) -> bool:
    """The body or query string, and each batch item, has from_date <= to_date when it has both."""
    items = case.body.get("requests") if isinstance(case.body, dict) else None
    for values in (case.body, case.query, *(items if isinstance(items, list) else ())):
        dated = isinstance(values, dict) and all(isinstance(values.get(k), str) for k in ("from_date", "to_date"))
        if dated and values["from_date"] > _day(values["to_date"]):  # YYYY-MM-DD, as the document's pattern has it
            return False
    return True


def fuzz(operation, base: str, refusals: Counter) -> Counter:
    """Run one operation's generated cases; returns how many answers of each status it got."""
    tally: Counter = Counter()

    @given(case=operation.as_strategy().filter(dates_in_order))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        response = case.call(base_url=base, timeout=60)
        tally[response.status_code] += 1
        assert response.status_code < 500, (operation.label, response.status_code, response.text[:300])
        if 400 <= response.status_code < 500:
            body = response.json()
            assert set(body) >= ENVELOPE and body["success"] is False, (operation.label, body)
            if response.status_code == 400:
                refusals[body["error"]] += 1

    run()
    return tally


def stop_background_jobs(base: str, timeout: float = 60.0) -> None:
    """Cancel the jobs the fuzzer started (fetch batches, verifies of everything stored) and wait until they stop:
    left running, they would spend the sandbox's 3 requests a second under the tests that follow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = [j for j in requests.get(f"{base}/api/jobs", timeout=10).json()["jobs"]
                  if j["status"] in ("queued", "running", "cancelling")]
        if not active:
            return
        for job in active:
            if job["status"] != "cancelling":
                requests.post(f"{base}/api/jobs/{job['job_id']}/cancel", json={}, timeout=10)
        time.sleep(0.2)


def test_no_server_errors_and_every_client_error_is_the_envelope(api, sandbox_process):
    schema = schemathesis.openapi.from_url(f"{api.base}/api/openapi.json")
    operations = sorted((op for op in (result.ok() for result in schema.get_all_operations())
                         if op.label not in SKIPPED), key=lambda o: o.label == LAST)
    assert len(operations) >= 9 and operations[-1].label == LAST
    refusals: dict[str, Counter] = {}
    calls: dict[str, Counter] = {}
    try:
        for operation in operations:
            refusals[operation.label] = Counter()
            calls[operation.label] = fuzz(operation, api.base, refusals[operation.label])
    finally:
        stop_background_jobs(api.base)
        requests.post(f"{sandbox_process.url}/__sandbox/reset", timeout=5).raise_for_status()
    total = sum(sum(t.values()) for t in calls.values())
    print(f"schemathesis: {total} cases over {len(operations)} operations: {calls}")
    assert total >= len(operations) * 5
    for label in DOCUMENTED:
        share = calls[label][400] / sum(calls[label].values())
        print(f"{label}: {share:.0%} refused (400): {dict(refusals[label])}")
        assert share < MAX_REFUSED_SHARE, (label, calls[label], refusals[label])
