"""`kitefetch serve`'s start-up work: a worker that dies leaves no job showing "running" for ever."""

from __future__ import annotations

import json
import os
import signal
import time

import requests

from tests.integration.api.conftest import _serve
from tests.integration.processes import free_port


def test_the_jobs_of_a_killed_worker_show_interrupted(sandbox_process, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data-worker-killed")
    server = _serve(sandbox_process, data_dir, free_port(), tmp_path_factory.mktemp("logs") / "w.log",
                    "sandbox-token")
    try:
        body = {"requests": [{"segment": "EQUITY", "symbol": s, "from_date": "2024-01-01", "to_date": "2024-06-30",
                              "interval": "minute"} for s in ("HDFCBANK", "ICICIBANK")]}
        job_id = requests.post(f"{server.base}/api/jobs", json=body, timeout=10).json()["job_id"]
        job_file = data_dir / "jobs" / f"{job_id}.json"
        deadline = time.monotonic() + 30
        while json.loads(job_file.read_text())["status"] != "running":
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.05)
        worker = json.loads(job_file.read_text())["owner_pid"]
        assert worker != server.proc.pid  # a gunicorn worker, not the master
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while (status := json.loads(job_file.read_text())["status"]) == "running":
            assert time.monotonic() < deadline, "the killed worker's job still shows running"
            time.sleep(0.1)
        assert status == "interrupted"
        requests.get(f"{server.base}/healthz", timeout=30).raise_for_status()  # gunicorn started a new worker
    finally:
        server.stop()
