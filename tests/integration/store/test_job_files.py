"""Job files: the JSON format is the adapter's, files from before the job model still load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from structlog.testing import capture_logs

from adapters.outbound.job_files import JobFiles
from application.job import ItemStatus, Job, JobItem, JobKind, JobOrigin, JobStatus
from application.sync_summary import Skipped, SyncSummary
from domain.errors import StoreBusy
from tests.fakes.jobs import InMemoryJobs

REQUEST = {"segment": "EQUITY", "symbol": "INFY", "exchange": None, "from_date": "2023-01-01",
           "to_date": "2023-03-31", "interval": "day", "validate": True, "overwrite": False, "incremental": True}


def old_file(status: str, cancel_requested: bool, item_status: str) -> dict:
    """A job file exactly as kitefetch wrote it before jobs were a model (`asdict` of the old dataclass)."""
    return {"id": "0ldf0rmat0000001", "created_at": 1, "items": [
        {"request": REQUEST, "symbol": "INFY", "status": item_status, "requests_done": 1, "requests_total": 2,
         "records": 40, "rejected": 0, "elapsed_seconds": 0.5, "error": None, "error_type": None},
        {"request": {}, "symbol": "BAD", "status": "failed", "requests_done": 0, "requests_total": 0, "records": 0,
         "rejected": 0, "elapsed_seconds": 0.0, "error": "interval: bad", "error_type": "validation"}],
        "status": status, "owner_pid": 77, "updated_at": 5, "finished_at": None, "cancel_requested": cancel_requested,
        "runs": 1}


@pytest.mark.parametrize(("status", "cancel_requested", "expected"), [
    ("running", False, JobStatus.RUNNING),
    ("running", True, JobStatus.CANCELLING),  # the old format's pending cancel
    ("queued", True, JobStatus.CANCELLING),
    ("cancelled", True, JobStatus.CANCELLED),
    ("interrupted", False, JobStatus.INTERRUPTED),
])
def test_an_old_format_file_loads(tmp_path, status, cancel_requested, expected):
    (tmp_path / "0ldf0rmat0000001.json").write_text(json.dumps(old_file(status, cancel_requested, "running")))
    job = JobFiles(tmp_path).load("0ldf0rmat0000001")
    assert job.status is expected and (job.owner_pid, job.runs, job.updated_at) == (77, 1, 5)
    assert [i.status for i in job.items] == [ItemStatus.RUNNING, ItemStatus.FAILED]
    assert job.items[0].request == REQUEST and job.items[0].records == 40
    assert job.items[1].error_type == "validation"
    assert [i.kind for i in job.items] == [JobKind.FETCH, JobKind.FETCH]  # before items had kinds: fetches


def test_an_old_file_left_cancelling_can_still_be_stopped(tmp_path):
    (tmp_path / "0ldf0rmat0000001.json").write_text(json.dumps(old_file("running", True, "running")))
    files = JobFiles(tmp_path)
    files.update("0ldf0rmat0000001", lambda job: (job.cancel(9), job)[1])
    job = files.load("0ldf0rmat0000001")
    assert job.status is JobStatus.CANCELLED and job.items[0].status is ItemStatus.CANCELLED


def test_the_file_holds_the_statuses_as_plain_strings(tmp_path):
    files = JobFiles(tmp_path)
    job = Job("abc123", 1, [JobItem(REQUEST, "INFY")])
    job.request_cancel()
    files.save(job)
    data = json.loads((tmp_path / "abc123.json").read_text())
    assert data["status"] == "cancelling" and data["cancel_requested"] is True  # an older kitefetch reads it too
    assert data["items"][0]["status"] == "queued" and data["items"][0]["request"] == REQUEST
    assert set(data) == set(old_file("running", False, "running")) | {"origin"}
    assert list(data).index("status") < list(data).index("items")  # read from the first bytes (with_status)


def test_an_items_kind_is_kept(tmp_path):
    files = JobFiles(tmp_path)
    files.save(Job("kinds1", 1, [JobItem(REQUEST, "INFY"),
                                 JobItem({"exchange": "NSE", "symbol": "INFY"}, "INFY", kind=JobKind.VERIFY)]))
    assert [i.kind for i in files.load("kinds1").items] == [JobKind.FETCH, JobKind.VERIFY]
    assert json.loads((tmp_path / "kinds1.json").read_text())["items"][1]["kind"] == "verify"


def test_a_jobs_origin_is_kept_and_older_files_are_batches(tmp_path):
    files = JobFiles(tmp_path)
    files.save(Job("sync1", 1, [JobItem(REQUEST, "INFY")], origin=JobOrigin.SCHEDULED))
    assert files.load("sync1").origin is JobOrigin.SCHEDULED
    assert json.loads((tmp_path / "sync1.json").read_text())["origin"] == "scheduled"
    (tmp_path / "0ldf0rmat0000001.json").write_text(json.dumps(old_file("running", False, "running")))
    assert files.load("0ldf0rmat0000001").origin is JobOrigin.BATCH


def test_files_that_are_not_jobs_are_skipped_in_the_listing(tmp_path):
    files = JobFiles(tmp_path)
    files.save(Job("good1", 1, [JobItem(REQUEST, "INFY")]))
    (tmp_path / "bad1.json").write_text(json.dumps({**old_file("running", False, "running"), "status": "exploded"}))
    (tmp_path / "bad2.json").write_text("{not json")
    assert [j.id for j in files.all()] == ["good1"]


def test_a_syncs_summary_is_kept_and_older_files_have_none(tmp_path):
    files = JobFiles(tmp_path)
    summary = SyncSummary(("NSE:TCS:day", "NFO:NIFTY24JUNFUT:minute"),
                          (Skipped("NFO:NIFTY24MAYFUT:day", "finished: expired 2024-05-30", True),
                           Skipped("t-1", "No instrument NSE:GONE", False, "t-1", "not_found")))
    files.save(Job("sync2", 1, [], JobStatus.COMPLETED, origin=JobOrigin.SYNC, summary=summary))
    assert files.load("sync2").summary == summary
    (tmp_path / "0ldf0rmat0000001.json").write_text(json.dumps(old_file("running", False, "running")))
    assert files.load("0ldf0rmat0000001").summary is None


def _aged(path, seconds_ago: int) -> None:
    when = path.stat().st_mtime - seconds_ago
    os.utime(path, (when, when))


def test_recent_reads_only_the_files_written_last(tmp_path):
    files = JobFiles(tmp_path)
    for n in range(4):
        files.save(Job(f"job{n}", n, [JobItem(REQUEST, "INFY")]))
        _aged(tmp_path / f"job{n}.json", 100 - n)
    (tmp_path / "torn0.json").write_text('{"id": "torn0", "created_at": 0, "it')
    _aged(tmp_path / "torn0.json", 1000)
    files.save(Job("job1", 1, [JobItem(REQUEST, "TCS")]))  # rewritten: among the last, in created order
    with capture_logs() as logs:
        assert [j.id for j in files.recent(3)] == ["job3", "job2", "job1"]
        assert [j.id for j in files.recent(10)] == ["job3", "job2", "job1", "job0"]
    assert [entry["event"] for entry in logs] == ["job_file_damaged_skipped"]  # read by the second only


def test_with_status_parses_only_files_whose_first_bytes_say_so(tmp_path):
    files = JobFiles(tmp_path)
    files.save(Job.awaiting_login("wait1", 5))
    files.save(Job("done1", 1, [JobItem(REQUEST, "INFY")], JobStatus.COMPLETED))
    (tmp_path / "torn1.json").write_text('{"id": "torn1", "created_at": 2, "status": "completed", "items": [{"req')
    (tmp_path / "0ldf0rmat0000001.json").write_text(json.dumps(old_file("interrupted", False, "queued")))
    with capture_logs() as logs:
        assert [j.id for j in files.with_status({JobStatus.NEEDS_LOGIN})] == ["wait1"]
        assert [j.id for j in files.with_status({JobStatus.INTERRUPTED})] == ["0ldf0rmat0000001"]  # items first
    assert logs == []  # the torn file's head says completed: never parsed
    assert files.status_of("torn1") is JobStatus.COMPLETED and files.status_of("nope") is None
    (tmp_path / "0ldf0rmat0000002.json").write_text(json.dumps(old_file("running", True, "running")))
    assert files.status_of("0ldf0rmat0000002") is JobStatus.CANCELLING  # the old format's pending cancel


def test_updates_wait_for_another_process_holding_the_lock_then_are_busy(tmp_path):
    files = JobFiles(tmp_path, lock_timeout=0.3)
    files.save(Job("lock1", 1, [JobItem(REQUEST, "INFY")]))
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(tmp_path / 'jobs.lock')!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="try again"):
            files.update("lock1", lambda job: job)
        with pytest.raises(StoreBusy):
            files.save_progress(Job("lock1", 1, []), lambda status: None)
    finally:
        holder.kill()
        holder.wait()
    assert files.update("lock1", lambda job: (job.request_cancel(), job)[1]).status is JobStatus.CANCELLING
    assert files.load("lock1").items  # the refused save_progress wrote nothing


@pytest.fixture(params=["fake", "files"])
def repository(request, tmp_path):
    return InMemoryJobs() if request.param == "fake" else JobFiles(tmp_path)


def test_the_fake_and_the_files_keep_a_job_alike(repository):
    """The contract the use-case tests rely on: what is saved loads equal, updates apply, newest first."""
    assert repository.load("nope") is None and repository.all() == []
    older = Job("older", 1, [JobItem(REQUEST, "INFY")])
    newer = Job("newer", 2, [JobItem(REQUEST, "INFY"), JobItem(REQUEST, "TCS")])
    repository.save(older)
    repository.save(newer)
    assert repository.load("older") == older and [j.id for j in repository.all()] == ["newer", "older"]

    def start(job: Job | None) -> Job:
        assert job is not None
        job.start(99)
        job.start_item(1)
        return job

    updated = repository.update("newer", start)
    assert updated.status is JobStatus.RUNNING and repository.load("newer") == updated
    assert repository.load("newer").items[1].status is ItemStatus.RUNNING


def test_the_fake_and_the_files_list_and_save_progress_alike(repository):
    for n, status in enumerate([JobStatus.COMPLETED, JobStatus.NEEDS_LOGIN, JobStatus.RUNNING]):
        repository.save(Job(f"j{n}", n, [JobItem(REQUEST, "INFY")], status))
    assert [j.id for j in repository.recent(2)] == ["j2", "j1"]
    assert [j.id for j in repository.with_status({JobStatus.NEEDS_LOGIN, JobStatus.COMPLETED})] == ["j1", "j0"]
    assert repository.status_of("j2") is JobStatus.RUNNING and repository.status_of("nope") is None
    runner_copy = repository.load("j2")
    runner_copy.items[0].records = 7
    repository.update("j2", lambda job: (job.request_cancel(), job)[1])  # another process cancels
    seen: list[JobStatus | None] = []
    repository.save_progress(runner_copy, seen.append)
    assert seen == [JobStatus.CANCELLING] and repository.load("j2").items[0].records == 7


def test_the_fake_and_the_files_find_the_newest_sync_alike(repository, tmp_path):
    syncs = {JobOrigin.SYNC, JobOrigin.SCHEDULED}
    assert repository.newest(syncs) is None
    jobs = [Job("sync1", 1, [JobItem(REQUEST, "INFY")], origin=JobOrigin.SYNC),
            Job("sched2", 2, [], JobStatus.NEEDS_LOGIN, origin=JobOrigin.SCHEDULED),
            *(Job(f"batch{n}", 3 + n, [JobItem(REQUEST, "INFY")]) for n in range(5))]  # batches since
    for job in jobs:
        repository.save(job)
        time.sleep(0.01)  # file times tell the order: a coarse clock must see each save apart
    assert repository.newest(syncs).id == "sched2"
    assert repository.newest({JobOrigin.SYNC}).id == "sync1"
    assert repository.newest({JobOrigin.BATCH}).id == "batch4"


def test_the_fake_and_the_files_change_a_jobs_revision_on_every_save_alike(repository):
    """A follower learns that a job changed from its revision alone (GET /api/jobs/<id>/events reads a 50,000-item
    job again only then): each save, update and save_progress changes it; reading does not."""
    assert repository.revision("nope") is None
    job = Job("rev1", 1, [JobItem(REQUEST, "INFY")], JobStatus.RUNNING)
    repository.save(job)
    seen = [repository.revision("rev1")]
    repository.load("rev1"), repository.status_of("rev1"), repository.recent(5)
    assert repository.revision("rev1") == seen[-1]

    def progressed(records: int) -> Job:  # a longer file each time: a coarse clock may not tell two saves apart
        job.items[0].records = records
        return job

    for change in (lambda: repository.save(progressed(10)),
                   lambda: repository.update("rev1", lambda j: (j.request_cancel(), j)[1]),
                   lambda: repository.save_progress(progressed(1000), lambda status: None)):
        change()
        assert repository.revision("rev1") not in seen
        seen.append(repository.revision("rev1"))
