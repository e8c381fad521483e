"""Large jobs through the live API: a sync of thousands of series streams its totals and a bounded list of items,
and a server following a 50,000-item job does not read its 19 MB again while nothing changes.

The jobs are written into the data dir's jobs/ before the server starts, owned by this test process (alive, so the
start-up sweep leaves them running); the test then moves them on as a runner would, by saving them."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from adapters.outbound.job_files import JobFiles
from application.job import ItemStatus, Job, JobItem, JobOrigin, JobStatus
from domain.errors import NotFound
from tests.integration.conftest import _serve
from tests.integration.processes import free_port


def option(n: int) -> dict:
    """A sync's item request, as long as an option contract's (a 50,000-item job file is ~19 MB)."""
    symbol = f"NIFTY25JAN{20000 + n}CE"
    return {"segment": "DERIVATIVES", "symbol": symbol, "exchange": "NFO", "from_date": "2025-01-01",
            "to_date": "2025-01-31", "interval": "minute", "validate": True, "overwrite": False, "incremental": True}


def write_big_job(data_dir: Path, job_id: str, size: int, origin: JobOrigin = JobOrigin.SYNC) -> Job:
    """A running job of `size` items: the first 60% done (two in three with 375 candles), then 30 failed, 3
    running, the rest queued."""
    done, failed = size * 6 // 10, 30
    items = [JobItem(option(n), option(n)["symbol"], requests_total=1) for n in range(size)]
    job = Job(job_id, int(time.time()), items, JobStatus.RUNNING, owner_pid=os.getpid(), updated_at=int(time.time()),
              origin=origin)
    for n in range(done + failed + 3):
        job.start_item(n)
        if n < done:
            job.finish_item(n, 375 if n % 3 else 0, 0, 1, 0.4)
        elif n < done + failed:
            job.fail_item(n, NotFound("no instrument NIFTY25JAN...CE"))
    save(data_dir, job)
    return job


def finish_big_job(data_dir: Path, job: Job) -> None:
    """Every item left finishes with 375 candles, and the job completes."""
    for n, item in enumerate(job.items):
        if item.status is ItemStatus.QUEUED:
            job.start_item(n)
        if job.items[n].status is ItemStatus.RUNNING:
            job.finish_item(n, 375, 0, 1, 0.4)
    job.finish(int(time.time()))
    save(data_dir, job)


def save(data_dir: Path, job: Job) -> None:
    job.updated_at += 1
    JobFiles(data_dir / "jobs", durable=False).save(job)


def totals(job: Job) -> tuple[int, int, int]:
    return (sum(i.records > 0 for i in job.items), sum(i.records for i in job.items),
            sum(i.requests_done for i in job.items))


def events(url: str) -> Iterator[tuple[str, dict, int]]:
    """Each event of the stream as it comes: its name, data and size in bytes. Read with urllib, as `requests`
    under the suite's secret watch reads a response whole before returning it (no secret here: a tokenless
    server's job)."""
    name = ""
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        for line in response:
            if line.startswith(b"event: "):
                name = line[7:].decode().strip()
            elif line.startswith(b"data: "):
                yield name, json.loads(line[6:]), len(line.rstrip(b"\n")) - 6


def cpu_seconds(pid: int) -> float:
    """User and system time of the server (its master and workers) so far."""
    pids = [pid, *(int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                   for child in (task / "children").read_text().split())]
    ticks = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def big_api(sandbox_process, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("big-jobs")
    jobs = {"sync3k": write_big_job(data_dir, "sync3k", 3000),
            "batch50k": write_big_job(data_dir, "batch50k", 50_000, JobOrigin.BATCH)}
    server = _serve(sandbox_process, data_dir, free_port(), tmp_path_factory.mktemp("logs") / "big.log", None)
    server.jobs = jobs
    yield server
    server.stop()


def test_a_large_syncs_events_carry_its_totals_and_a_bounded_list_of_items(big_api):
    job = big_api.jobs["sync3k"]
    stream = events(f"{big_api.base}/api/jobs/sync3k/events")
    name, body, _ = next(stream)
    assert name == "progress" and body["items_partial"] and body["items_total"] == body["total"] == 3000
    assert (body["series_updated"], body["candles_added"], body["requests"]) == totals(job) == (1200, 450_000, 1800)
    listed = [(i["index"], i["status"]) for i in body["items"]]
    assert listed == ([(n, "done") for n in range(1780, 1800)] + [(n, "failed") for n in range(1800, 1830)]
                      + [(n, "running") for n in range(1830, 1833)])
    job.finish_item(1830, 375, 0, 1, 0.4)  # a runner's progress
    save(big_api.data_dir, job)
    name, body, _ = next(stream)
    assert name == "progress" and body["items"][-1]["index"] == 1832 and body["candles_added"] == 450_375
    finish_big_job(big_api.data_dir, job)
    name, body, _ = next(stream)
    assert name == "done" and body["status"] == "completed" and body["outcome"] == "partial"
    assert (body["series_updated"], body["candles_added"], body["requests"], body["failed"]) == (*totals(job), 30)
    assert [i["index"] for i in body["items"]] == list(range(1800, 1830)) + list(range(2980, 3000))
    everything = requests.get(f"{big_api.base}/api/jobs/sync3k", timeout=30).json()  # GET still lists them all
    assert len(everything["items"]) == 3000 and not everything["items_partial"]
    assert "index" not in everything["items"][0]
    failed = requests.get(f"{big_api.base}/api/jobs/sync3k?item_status=failed&limit=10&offset=25", timeout=30).json()
    assert [i["index"] for i in failed["items"]] == list(range(1825, 1830)) and failed["items_total"] == 30


def test_a_50000_item_jobs_stream_is_small_and_idle_while_the_job_is(big_api, record_property):
    """The measurements are printed (pytest -s) and kept as test properties (--junitxml)."""
    job = big_api.jobs["batch50k"]
    size = (big_api.data_dir / "jobs" / "batch50k.json").stat().st_size
    began = time.perf_counter()
    whole = requests.get(f"{big_api.base}/api/jobs/batch50k", timeout=60)
    get_seconds, get_bytes = time.perf_counter() - began, len(whole.content)
    assert len(whole.json()["items"]) == 50_000

    began = time.perf_counter()
    stream = events(f"{big_api.base}/api/jobs/batch50k/events")
    name, body, first_bytes = next(stream)
    first_seconds = time.perf_counter() - began
    assert name == "progress" and body["items_partial"] and len(body["items"]) == 20 + 30 + 3
    assert first_bytes < 50_000 and body["candles_added"] == totals(job)[1]

    server_pid = big_api.proc.pid
    cpu = cpu_seconds(server_pid)
    time.sleep(3)  # six polls of an unchanged job: six stats, no read
    idle_cpu = cpu_seconds(server_pid) - cpu
    assert idle_cpu < 0.2, idle_cpu  # reading the file every 0.5 s took ~0.45 s a read

    job.finish_item(30_031, 375, 0, 1, 0.4)
    save(big_api.data_dir, job)
    saved = time.perf_counter()
    name, body, progress_bytes = next(stream)
    progress_seconds = time.perf_counter() - saved
    assert name == "progress" and body["items"][-1]["index"] == 30_032

    cpu, busy = cpu_seconds(server_pid), time.monotonic() + 4
    for n in range(30_033, 30_100):  # a runner saving its progress twice a second
        job.start_item(n)
        job.finish_item(n, 375, 0, 1, 0.4)
        save(big_api.data_dir, job)
        if time.monotonic() > busy:
            break
        time.sleep(0.5)
    busy_cpu = cpu_seconds(server_pid) - cpu
    assert busy_cpu < 0.9, busy_cpu  # read at most every ~2.5 s (READ_SHARE), not at every save

    finish_big_job(big_api.data_dir, job)
    saved = time.perf_counter()
    name, body, done_bytes = next(stream)
    while name != "done":  # the progress events of the saves above come first
        name, body, done_bytes = next(stream)
    done_seconds = time.perf_counter() - saved
    assert name == "done" and body["requests"] == totals(job)[2] and done_bytes < 50_000
    measured = {"job_file_bytes": size, "get_bytes": get_bytes, "get_seconds": round(get_seconds, 3),
                "first_event_bytes": first_bytes, "first_event_seconds": round(first_seconds, 3),
                "idle_cpu_seconds_in_3s": round(idle_cpu, 3), "progress_event_bytes": progress_bytes,
                "progress_event_after_save_seconds": round(progress_seconds, 3),
                "cpu_seconds_in_4s_of_saves_every_half_second": round(busy_cpu, 3), "done_event_bytes": done_bytes,
                "done_event_after_save_seconds": round(done_seconds, 3)}
    for key, value in measured.items():
        record_property(key, value)
    print("50,000-item job:", measured)
