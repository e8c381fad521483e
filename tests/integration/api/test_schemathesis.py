"""Property-based fuzzing of the live API from its own OpenAPI document: no 5xx, every 4xx is the envelope.

Cases come from schemathesis' strategies and run under plain hypothesis (its pytest plugin does not load on
this pytest), against `kitefetch serve` wired to the sandbox.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("KITEFETCH_FUZZ_EXAMPLES", "40"))
ENVELOPE = {"success", "error", "error_type"}


def fuzz(operation, base: str) -> dict[int, int]:
    """Run one operation's generated cases; returns how many answers of each status it got."""
    tally: dict[int, int] = {}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        response = case.call(base_url=base, timeout=60)
        tally[response.status_code] = tally.get(response.status_code, 0) + 1
        assert response.status_code < 500, (operation.label, response.status_code, response.text[:300])
        if 400 <= response.status_code < 500:
            body = response.json()
            assert set(body) >= ENVELOPE and body["success"] is False, (operation.label, body)

    run()
    return tally


def test_no_server_errors_and_every_client_error_is_the_envelope(api):
    schema = schemathesis.openapi.from_url(f"{api.base}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    calls = {operation.label: fuzz(operation, api.base) for operation in operations}
    total = sum(sum(t.values()) for t in calls.values())
    print(f"schemathesis: {total} cases over {len(operations)} operations: {calls}")
    assert total >= len(operations) * 5
