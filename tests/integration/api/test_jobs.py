"""Background jobs through the live API: start, live progress over SSE, cancel, resume, restart."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.integration.api.conftest import _serve
from tests.integration.processes import free_port


def sse_events(url: str, timeout: float = 120) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []
    name = ""
    with requests.get(url, stream=True, timeout=timeout) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                if name == "done":
                    break
    return events


def item(symbol: str, interval: str = "day", start: str = "2024-01-01", end: str = "2024-12-31") -> dict:
    return {"segment": "EQUITY", "symbol": symbol, "from_date": start, "to_date": end, "interval": interval}


def test_a_job_runs_in_the_background_with_live_progress(api):
    started = requests.post(f"{api.base}/api/jobs", json={"requests": [
        item("ITC", "15minute"), item("NOSUCH"), item("LT", "15minute")]}, timeout=10)
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    events = sse_events(f"{api.base}/api/jobs/{job_id}/events")
    assert events[-1][0] == "done" and events[-1][1]["status"] == "completed"
    assert events[-1][1]["progress"] == 100.0
    final = requests.get(f"{api.base}/api/jobs/{job_id}", timeout=10).json()
    assert (final["total"], final["successful"], final["failed"]) == (3, 2, 1)
    assert final["outcome"] == "partial"  # completed, but not everything: the pages show it amber
    assert final["items"][1]["error_type"] == "not_found" and final["items"][0]["records"] > 5000
    assert any(j["job_id"] == job_id for j in requests.get(f"{api.base}/api/jobs", timeout=10).json()["jobs"])
    assert requests.get(f"{api.base}/api/jobs/deadbeef00", timeout=10).status_code == 404
    finished = requests.post(f"{api.base}/api/jobs/{job_id}/resume", json={}, timeout=10)
    assert finished.status_code == 409 and finished.json()["error_type"] == "conflict"


def wait_for(what: str, ready, timeout: float = 60, every: float = 0.02):
    """Poll `ready()` until it returns something true (returned), or fail after `timeout` seconds saying `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = ready()
        if found:
            return found
        time.sleep(every)
    pytest.fail(f"{what}: not within {timeout} s")


def historical(sandbox_process) -> tuple[int, int]:
    """Historical requests the sandbox has answered, and how many of them it throttled (each one asked again)."""
    stats = requests.get(f"{sandbox_process.url}/__sandbox/stats", timeout=30).json()
    return stats["routes"]["historical"], stats["throttled"]


def test_cancel_then_resume_fetches_only_what_is_missing(api, sandbox_process):
    """Cancelled once the first request is stored, with ~20 requests at 3/s still to go: seconds of room for the
    cancel to land on a loaded machine. What was fetched is counted by the job itself (requests done of each item's
    plan) and by the sandbox, not by the clock."""
    body = {"requests": [item(s, "minute", "2023-01-01", "2024-06-30") for s in ("SBIN", "AXISBANK")]}
    job_id = requests.post(f"{api.base}/api/jobs", json=body, timeout=30).json()["job_id"]

    def first_request_stored() -> bool:
        items = requests.get(f"{api.base}/api/jobs/{job_id}", timeout=30).json()["items"]
        return any(i["requests_done"] for i in items)

    wait_for("the job's first stored request", first_request_stored)
    cancelled = requests.post(f"{api.base}/api/jobs/{job_id}/cancel", json={}, timeout=30)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelling"  # not "running"
    events = sse_events(f"{api.base}/api/jobs/{job_id}/events")
    stopped = events[-1][1]
    assert stopped["status"] == "cancelled" and stopped["progress"] < 100
    item_states = [i["status"] for i in stopped["items"]]
    assert "cancelled" in item_states and not {"queued", "running"} & set(item_states)
    assert stopped["cancelled"] == item_states.count("cancelled") and stopped["pending"] == 0
    assert sum(i["requests_total"] for i in stopped["items"]) == 20  # 2 x 10 minute chunks: ~7 s at 3/s
    done = sum(i["requests_done"] for i in stopped["items"])
    missing = sum(i["requests_total"] - i["requests_done"] for i in stopped["items"])
    assert done >= 1 and missing >= 1
    before = historical(sandbox_process)
    resumed = requests.post(f"{api.base}/api/jobs/{job_id}/resume", json={}, timeout=30)
    assert resumed.status_code == 202 and "cancelled" not in {i["status"] for i in resumed.json()["items"]}
    events = sse_events(f"{api.base}/api/jobs/{job_id}/events")
    assert events[-1][1]["status"] == "completed"
    after = historical(sandbox_process)
    # Exactly the requests missing at the cancel (each throttled one asked again): none stored before is redone.
    assert after[0] - before[0] - (after[1] - before[1]) == missing, (before, after, done, missing)


def test_a_job_left_running_by_a_dead_server_shows_interrupted_and_resumes(api, sandbox_process, tmp_path_factory):
    job_id = "0badc0ffee000001"
    request = {"segment": "EQUITY", "symbol": "INFY", "exchange": None, "from_date": "2023-01-01",
               "to_date": "2023-03-31", "interval": "day", "validate": True, "overwrite": False,
               "incremental": True}
    jobs_dir = api.data_dir / "jobs"
    jobs_dir.mkdir(exist_ok=True)
    (jobs_dir / f"{job_id}.json").write_text(json.dumps({
        "id": job_id, "created_at": 1, "status": "running", "owner_pid": 2 ** 22 + 12345, "updated_at": 1,
        "finished_at": None, "cancel_requested": False, "runs": 1,
        "items": [{"request": request, "symbol": "INFY", "status": "running", "requests_done": 0,
                   "requests_total": 1, "records": 0, "rejected": 0, "elapsed_seconds": 0.0, "error": None,
                   "error_type": None}]}))
    restarted = _serve(sandbox_process, api.data_dir, free_port(), tmp_path_factory.mktemp("logs") / "r.log",
                       "sandbox-token")
    try:
        assert requests.get(f"{restarted.base}/api/jobs/{job_id}", timeout=10).json()["status"] == "interrupted"
        assert requests.post(f"{restarted.base}/api/jobs/{job_id}/resume", json={}, timeout=10).status_code == 202
        events = sse_events(f"{restarted.base}/api/jobs/{job_id}/events")
        assert events[-1][1]["status"] == "completed" and events[-1][1]["items"][0]["records"] > 50
    finally:
        restarted.stop()
    assert not list(jobs_dir.glob(".*.tmp"))  # every save replaced its scratch file


def test_a_job_whose_items_all_fail_ends_failed(api):
    started = requests.post(f"{api.base}/api/jobs", json={"requests": [item("NOSUCH"), item("NOTHERE")]}, timeout=10)
    events = sse_events(f"{api.base}/api/jobs/{started.json()['job_id']}/events")
    assert events[-1][0] == "done"
    assert (events[-1][1]["status"], events[-1][1]["outcome"], events[-1][1]["failed"]) == ("failed", "failed", 2)


@pytest.mark.parametrize(("bad", "named"), [
    ({"interval": "7minute"}, "requests[1].interval"),
    ({"from_date": "2024-06-01", "to_date": "2024-01-01"}, "requests[1].from_date"),
    ({"to_date": 20240101}, "requests[1].to_date"),
    ({"overwrite": "perhaps"}, "requests[1].overwrite"),
    ({"segment": "COMMODITY"}, "requests[1].segment"),
    ({"symbol": "A\x07B"}, "requests[1].symbol"),
])
def test_a_job_with_an_item_that_can_never_run_is_refused_whole(api, bad, named):
    jobs_before = len(requests.get(f"{api.base}/api/jobs", timeout=10).json()["jobs"])
    response = requests.post(f"{api.base}/api/jobs", json={"requests": [item("ITC"), {**item("LT"), **bad}]},
                             timeout=10)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_type"] == "validation" and body["error"].startswith(named)
    assert len(requests.get(f"{api.base}/api/jobs", timeout=10).json()["jobs"]) == jobs_before  # nothing started
    not_an_object = requests.post(f"{api.base}/api/jobs", json={"requests": [item("ITC"), "LT"]}, timeout=10)
    assert not_an_object.status_code == 400 and not_an_object.json()["error"].startswith("requests[1]")
