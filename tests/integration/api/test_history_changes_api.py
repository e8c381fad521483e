"""What Kite changed in the past, through the live API and the CLI: the ledger, verify as a job, the notes."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator

import pytest
import requests

from kite_sandbox import SandboxConfig, start_sandbox
from tests.integration.conftest import _serve
from tests.integration.processes import KITEFETCH, free_port

SPLIT = {"exchange": "NSE", "symbol": "RELIANCE", "ex_date": "2025-06-02", "factor": 1.5, "kind": "demerger"}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator:
    """Its own sandbox (corporate actions posted here touch no other test) and its own data dir."""
    with start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, rate_limit=1000)) as sandbox:
        data_dir = tmp_path_factory.mktemp("changes")
        proc = _serve(sandbox, data_dir, free_port(), tmp_path_factory.mktemp("logs") / "api.log", "sandbox-token")
        proc.sandbox = sandbox  # type: ignore[attr-defined]
        yield proc
        proc.stop()


def wait_for(server, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        job = requests.get(f"{server.base}/api/jobs/{job_id}", timeout=10).json()
        if job["status"] not in ("queued", "running", "cancelling") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def cli(server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KITE_API_KEY": "sandbox", "KITE_API_SECRET": "sandbox-secret",
           "KITE_ACCESS_TOKEN": "sandbox-token", "KITE_API_ROOT": server.sandbox.url,
           "KITEFETCH_DATA_DIR": str(server.data_dir)}
    return subprocess.run([KITEFETCH, *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_ledger_verify_and_the_notes(server):
    fetched = requests.post(f"{server.api}/fetch-equity", json={"symbol": "RELIANCE", "from_date": "2025-01-01",
                                                                "to_date": "2025-12-31"}, timeout=60).json()
    assert fetched["success"] and fetched["warnings"] == [] and "adjustments" not in fetched
    assert requests.get(f"{server.api}/adjustments/NSE/reliance", timeout=10).json() == {
        "success": True, "exchange": "NSE", "symbol": "RELIANCE", "events": []}
    missing = requests.get(f"{server.api}/adjustments/NSE/TCS", timeout=10)
    assert missing.status_code == 404 and missing.json()["error_type"] == "not_found"

    requests.post(f"{server.sandbox.url}/__sandbox/corporate-action", json=SPLIT, timeout=5).raise_for_status()
    assert requests.post(f"{server.api}/verify", json={"symbol": "RELIANCE"}, timeout=10).status_code == 400
    assert requests.post(f"{server.api}/verify", json={"exchange": "NSE", "x": 1}, timeout=10).status_code == 400
    assert requests.post(f"{server.api}/verify", json={"exchange": "NSE", "symbol": "TCS"},
                         timeout=10).status_code == 404
    started = requests.post(f"{server.api}/verify", json={"exchange": "NSE", "symbol": "RELIANCE"}, timeout=10)
    assert started.status_code == 202 and started.json()["items"][0]["kind"] == "verify"
    job = wait_for(server, started.json()["job_id"])
    assert (job["status"], job["items"][0]["status"], job["items"][0]["requests_total"]) == ("completed", "done", 1)
    (event,) = requests.get(f"{server.api}/adjustments/NSE/RELIANCE", timeout=10).json()["events"]
    assert (event["kind"], event["ex_date"], event["factor"], event["status"]) == (
        "corporate_action", "2025-06-02", 1.5, "healed")
    assert event["series"] == ["NSE:RELIANCE:day"] and event["detected_at"].endswith("+05:30")
    assert event["candles_replaced"] > 80 and event["requests"] == 0 and event["pending"] == []

    datasets = requests.get(f"{server.api}/database-info/EQUITY", timeout=10).json()["datasets"]
    assert datasets[0]["healed_at"].endswith("+05:30") and datasets[0]["stale_before"] is None
    assert 'id="healed-note"' in requests.get(f"{server.base}/series/NSE/RELIANCE/day", timeout=10).text
    assert "healed 20" in requests.get(f"{server.base}/", timeout=10).text
    everything = requests.post(f"{server.api}/verify", json={}, timeout=10)  # every stored instrument
    assert everything.status_code == 202 and [i["symbol"] for i in everything.json()["items"]] == ["RELIANCE"]
    assert wait_for(server, everything.json()["job_id"])["status"] == "completed"

    listed = cli(server, "adjustments", "NSE", "reliance")
    assert listed.returncode == 0 and "corporate action, ex-date 2025-06-02, factor 1.5: healed" in listed.stdout
    assert json.loads(cli(server, "adjustments", "NSE", "RELIANCE", "--json").stdout)["events"][0]["factor"] == 1.5
    assert cli(server, "adjustments", "NSE", "NOSUCH").returncode == 1
    verified = cli(server, "verify", "NSE", "RELIANCE", "--json")
    assert verified.returncode == 0, verified.stderr
    (result,) = json.loads(verified.stdout)["results"]
    assert (result["symbol"], result["interval"], result["requests"], result["events"]) == ("RELIANCE", "day", 1, [])
    assert "nothing changed" in cli(server, "verify").stdout
