"""POST /api/data/sync against `kitefetch serve` and the sandbox: track + sync + a second sync that asks Kite for
nothing, a restart mid-sync that resumes without refetching, and a contract captured while live that stays
readable (and is finished, not an error) once it has left the dump."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import timedelta

import pytest
import requests

from adapters.inbound.schemas import today_ist
from tests.integration.api.test_jobs import sse_events
from tests.integration.conftest import _serve, stats
from tests.integration.processes import Process, free_port


@pytest.fixture
def server(sandbox_process, tmp_path):
    """A server of its own: a sync brings every stored series up to date, so it must not see other tests' data."""
    proc = _serve(sandbox_process, tmp_path / "data", free_port(), tmp_path / "api.log", "sandbox-token")
    yield proc
    proc.stop()


def track(server, body: dict) -> str:
    response = requests.post(f"{server.api}/tracked", json=body, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()["tracked"]["id"]


def sync(server, body: dict | None = None) -> dict:
    if body is None:  # no body at all, as a script's bare POST sends (JSON declared: not a cross-site form)
        response = requests.post(f"{server.api}/sync", headers={"Content-Type": "application/json"}, timeout=60)
    else:
        response = requests.post(f"{server.api}/sync", json=body, timeout=60)
    assert response.status_code == 202, response.text
    return response.json()


def finished(server, job_id: str) -> dict:
    events = sse_events(f"{server.base}/api/jobs/{job_id}/events")
    assert events[-1][0] == "done", events[-1]
    return events[-1][1]


def test_track_sync_and_a_second_sync_sends_no_request(server, sandbox_process):
    start = str(today_ist() - timedelta(days=400))
    tcs = track(server, {"exchange": "NSE", "symbol": "TCS", "intervals": ["day"], "from_date": start})
    track(server, {"exchange": "NSE", "symbol": "INFY", "intervals": ["day"], "from_date": start})
    fetched = requests.post(f"{server.api}/fetch-equity", json={"symbol": "ITC", "from_date": start,
                                                                 "to_date": str(today_ist() - timedelta(days=30))},
                            timeout=60).json()
    assert fetched["records"] > 100  # a stored series nobody tracks: the sync brings it up to date too
    started = sync(server)
    assert started["success"] and started["series"] == 3 and started["skipped"] == []
    job = finished(server, started["job_id"])
    assert job["status"] == "completed" and job["successful"] == 3
    by_symbol = {i["symbol"]: i for i in job["items"]}
    assert by_symbol["TCS"]["records"] > 200 and by_symbol["ITC"]["records"] > 10
    assert by_symbol["ITC"]["request"]["to_date"] == str(today_ist())
    before = stats(sandbox_process)["routes"]["historical"]
    second = sync(server)  # every series planned up to date: no item, the job completed before the 202
    assert (second["status"], second["series"], second["due"], second["up_to_date"]) == ("completed", 3, 0, 3)
    again = finished(server, second["job_id"])
    assert again["status"] == "completed" and again["items"] == [] and again["origin"] == "sync"
    assert again["summary"] == {"up_to_date": 3, "finished": 0, "not_resolved": []}
    assert stats(sandbox_process)["routes"]["historical"] == before  # 0 historical requests
    only = sync(server, {"only": [tcs]})
    assert (only["series"], only["up_to_date"]) == (1, 1)
    finished(server, only["job_id"])
    assert stats(sandbox_process)["routes"]["historical"] == before


def test_bad_sync_bodies(server):
    empty = requests.post(f"{server.api}/sync", json={}, timeout=30)
    assert empty.status_code == 400 and "Nothing to sync" in empty.json()["error"]
    unknown = requests.post(f"{server.api}/sync", json={"everything": True}, timeout=30)
    assert unknown.status_code == 400 and "everything" in unknown.json()["error"]
    missing = requests.post(f"{server.api}/sync", json={"only": ["nosuchid"]}, timeout=30)
    assert missing.status_code == 404 and missing.json()["error_type"] == "not_found"


def test_a_restart_mid_sync_resumes_without_refetching(server, sandbox_process, tmp_path):
    start = str(today_ist() - timedelta(days=360))
    track(server, {"exchange": "NSE", "symbol": "HDFCBANK", "intervals": ["minute"], "from_date": start})
    track(server, {"exchange": "NSE", "symbol": "ICICIBANK", "intervals": ["minute"], "from_date": start})
    job_id = sync(server)["job_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = requests.get(f"{server.base}/api/jobs/{job_id}", timeout=10).json()
        if job["items"][0]["requests_done"] >= 2:
            break
        time.sleep(0.05)
    worker = json.loads((server.data_dir / "jobs" / f"{job_id}.json").read_text())["owner_pid"]
    os.kill(worker, signal.SIGKILL)  # the process running the job dies mid-job, as in a crash
    server.proc.send_signal(signal.SIGKILL)  # and gunicorn's master with it, before it starts another worker
    server.proc.wait()
    killed_at = stats(sandbox_process)["routes"]["historical"]
    restarted = _serve(sandbox_process, server.data_dir, free_port(), tmp_path / "restarted.log", "sandbox-token")
    try:
        job = requests.get(f"{restarted.base}/api/jobs/{job_id}", timeout=10).json()
        assert job["status"] == "interrupted", job
        done_before = sum(i["requests_done"] for i in job["items"])
        total = sum(i["requests_total"] for i in job["items"] if i["requests_total"]) or 0
        assert requests.post(f"{restarted.base}/api/jobs/{job_id}/resume", json={}, timeout=10).status_code == 202
        final = finished(restarted, job_id)
        assert final["status"] == "completed"
        resumed = stats(sandbox_process)["routes"]["historical"] - killed_at
        planned = 2 * len(range(0, 361, 60)) + 1  # each symbol: 361 days in 60-day minute requests
        assert 0 < resumed <= planned - done_before and done_before >= 2 and total
        before = stats(sandbox_process)["routes"]["historical"]
        finished(restarted, sync(restarted)["job_id"])
        assert stats(sandbox_process)["routes"]["historical"] == before
    finally:
        restarted.stop()


@pytest.fixture
def later_sandbox(tmp_path):
    """The sandbox a month on: today's nearest futures have expired and left its dump."""
    port = free_port()
    proc = Process(["sandbox", "--port", str(port), "--today", (today_ist() + timedelta(days=40)).isoformat(),
                    "--cost-ms-per-1000-candles", "0"], {}, f"http://127.0.0.1:{port}/__sandbox/stats",
                   tmp_path / "later-sandbox.log")
    proc.url = f"http://127.0.0.1:{port}"
    yield proc
    proc.stop()


def test_a_contract_captured_while_live_stays_readable_after_it_leaves_the_dump(server, later_sandbox, tmp_path):
    tracked = track(server, {"rule": "futures", "exchange": "NFO", "underlying": "NIFTY", "intervals": ["day"]})
    contracts = requests.get(f"{server.api}/tracked/{tracked}/resolve", timeout=60).json()["contracts"]
    nearest = min(contracts, key=lambda c: c["expiry"])
    job = finished(server, sync(server)["job_id"])
    assert job["status"] == "completed" and all(i["records"] > 0 for i in job["items"])
    server.stop()
    later = _serve(later_sandbox, server.data_dir, free_port(), tmp_path / "later.log", "sandbox-token")
    try:
        refreshed = requests.get(f"{later.api}/instruments/NFO", params={"force_refresh": "true", "q": "NIFTY"},
                                 timeout=120)
        assert refreshed.status_code == 200, refreshed.text
        listed = {i["tradingsymbol"] for i in refreshed.json()["instruments"]}
        assert listed and nearest["symbol"] not in listed  # expired: gone from the day's dump
        candles = requests.get(f"{later.api}/candles/NFO/{nearest['symbol']}/day", timeout=30)
        assert candles.status_code == 200 and candles.json()["count"] > 0, candles.text
        started = sync(later)
        finished_ones = [s for s in started["skipped"] if s["finished"]]
        assert any(s["series"] == f"NFO:{nearest['symbol']}:day" for s in finished_ones), started
        assert finished(later, started["job_id"])["failed"] == 0
    finally:
        later.stop()
