"""The job's life cycle: every transition, and every illegal one refused with Conflict and nothing changed."""

from __future__ import annotations

import copy

import pytest

from application.job import ItemStatus, Job, JobItem, JobOutcome, JobStatus
from domain.errors import AuthRequired, Conflict, NotFound

NOW = 1_700_000_000

ACTIONS = {
    "start": lambda job: job.start(4242),
    "request_cancel": Job.request_cancel,
    "cancel": lambda job: job.cancel(NOW),
    "interrupt": lambda job: job.interrupt(NOW),
    "resume": Job.resume,
    "finish": lambda job: job.finish(NOW),
    "plan": lambda job: job.plan([JobItem({"symbol": "TCS"}, "TCS")]),
}
# Each action's legal moves: status before -> status after. Every other status raises Conflict.
LEGAL = {
    "start": {JobStatus.QUEUED: JobStatus.RUNNING, JobStatus.CANCELLING: JobStatus.CANCELLING},
    "request_cancel": {JobStatus.QUEUED: JobStatus.CANCELLING, JobStatus.RUNNING: JobStatus.CANCELLING,
                       JobStatus.CANCELLING: JobStatus.CANCELLING, JobStatus.INTERRUPTED: JobStatus.CANCELLED,
                       JobStatus.NEEDS_LOGIN: JobStatus.CANCELLED},
    "cancel": {JobStatus.RUNNING: JobStatus.CANCELLED, JobStatus.CANCELLING: JobStatus.CANCELLED},
    "interrupt": {JobStatus.QUEUED: JobStatus.INTERRUPTED, JobStatus.RUNNING: JobStatus.INTERRUPTED,
                  JobStatus.CANCELLING: JobStatus.CANCELLED},
    "resume": {JobStatus.INTERRUPTED: JobStatus.QUEUED, JobStatus.CANCELLED: JobStatus.QUEUED},
    "finish": {JobStatus.RUNNING: JobStatus.COMPLETED, JobStatus.CANCELLING: JobStatus.COMPLETED},
    "plan": {JobStatus.NEEDS_LOGIN: JobStatus.QUEUED},
}


def job_in(status: JobStatus, *item_statuses: ItemStatus) -> Job:
    items = [JobItem({"symbol": f"S{i}"}, f"S{i}", s) for i, s in enumerate(item_statuses or (ItemStatus.QUEUED,))]
    return Job("abc123", 1, items, status=status, owner_pid=1, runs=1)


@pytest.mark.parametrize("status", list(JobStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_moves_only_from_its_legal_statuses(action, status):
    job = job_in(status, ItemStatus.DONE) if action == "finish" else job_in(status)
    before = copy.deepcopy(job)
    if status in LEGAL[action]:
        ACTIONS[action](job)
        assert job.status is LEGAL[action][status]
    else:
        with pytest.raises(Conflict, match=f"is {status.value}"):
            ACTIONS[action](job)
        assert job == before


def test_start_counts_runs_and_takes_ownership():
    job = job_in(JobStatus.QUEUED)
    job.start(4242)
    assert (job.status, job.owner_pid, job.runs) == (JobStatus.RUNNING, 4242, 2)


def test_a_cancel_stops_unfinished_items_as_cancelled_and_resume_queues_them_again():
    job = job_in(JobStatus.RUNNING, ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.RUNNING, ItemStatus.QUEUED)
    job.request_cancel()
    assert job.status is JobStatus.CANCELLING and job.active
    job.cancel(NOW)
    assert [i.status for i in job.items] == [ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.CANCELLED,
                                             ItemStatus.CANCELLED]
    assert job.finished_at == NOW and not job.active
    assert job.counts == {"total": 4, "done": 1, "failed": 1, "pending": 0, "cancelled": 2}
    job.resume()
    assert job.status is JobStatus.QUEUED and job.finished_at is None
    assert [i.status for i in job.items] == [ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.QUEUED, ItemStatus.QUEUED]


def test_an_interrupted_job_is_cancelled_at_once_as_nothing_runs_it():
    job = job_in(JobStatus.INTERRUPTED, ItemStatus.DONE, ItemStatus.QUEUED)
    job.request_cancel()
    assert job.status is JobStatus.CANCELLED and job.items[1].status is ItemStatus.CANCELLED


def test_interrupt_queues_the_running_item_again_with_the_reason():
    job = job_in(JobStatus.RUNNING, ItemStatus.DONE, ItemStatus.RUNNING, ItemStatus.QUEUED)
    job.interrupt(NOW, AuthRequired("log in again"))
    assert job.status is JobStatus.INTERRUPTED and job.finished_at == NOW
    assert [i.status for i in job.items] == [ItemStatus.DONE, ItemStatus.QUEUED, ItemStatus.QUEUED]
    assert (job.items[1].error, job.items[1].error_type) == ("log in again", "auth")


def test_an_interrupted_job_with_a_cancel_pending_ends_cancelled():
    job = job_in(JobStatus.CANCELLING, ItemStatus.RUNNING)
    job.interrupt(NOW)
    assert job.status is JobStatus.CANCELLED and job.items[0].status is ItemStatus.CANCELLED


@pytest.mark.parametrize(("items", "status", "outcome"), [
    ((ItemStatus.DONE, ItemStatus.DONE), JobStatus.COMPLETED, JobOutcome.OK),
    ((ItemStatus.DONE, ItemStatus.FAILED), JobStatus.COMPLETED, JobOutcome.PARTIAL),
    ((ItemStatus.FAILED, ItemStatus.FAILED), JobStatus.FAILED, JobOutcome.FAILED),
])
def test_finish_fails_a_job_whose_items_all_failed(items, status, outcome):
    job = job_in(JobStatus.RUNNING, *items)
    job.finish(NOW)
    assert (job.status, job.outcome, job.finished_at) == (status, outcome, NOW)


def test_finish_refuses_while_items_are_unfinished():
    job = job_in(JobStatus.RUNNING, ItemStatus.DONE, ItemStatus.QUEUED)
    with pytest.raises(Conflict, match="unfinished"):
        job.finish(NOW)
    assert job.status is JobStatus.RUNNING


def test_an_item_runs_reports_progress_and_finishes():
    job = job_in(JobStatus.RUNNING, ItemStatus.QUEUED)
    job.start_item(0)
    assert job.items[0].status is ItemStatus.RUNNING
    job.item_progressed(0, 2, 4, 100)
    assert job.progress == 50.0
    job.finish_item(0, records=200, rejected=1, requests=4, elapsed_seconds=1.5)
    item = job.items[0]
    assert (item.status, item.records, item.rejected, item.requests_done, item.requests_total) == (
        ItemStatus.DONE, 200, 1, 4, 4)
    assert job.progress == 100.0


@pytest.mark.parametrize("item_status", [ItemStatus.QUEUED, ItemStatus.RUNNING])
def test_an_item_fails_from_queued_or_running(item_status):
    job = job_in(JobStatus.RUNNING, item_status)
    job.fail_item(0, NotFound("no such symbol"))
    assert (job.items[0].status, job.items[0].error_type) == (ItemStatus.FAILED, "not_found")


ITEM_ACTIONS = {
    "start_item": (lambda job: job.start_item(0), {ItemStatus.QUEUED}),
    "item_progressed": (lambda job: job.item_progressed(0, 1, 2, 3), {ItemStatus.RUNNING}),
    "finish_item": (lambda job: job.finish_item(0, 1, 0, 1, 0.1), {ItemStatus.RUNNING}),
    "fail_item": (lambda job: job.fail_item(0, NotFound("x")), {ItemStatus.QUEUED, ItemStatus.RUNNING}),
}


@pytest.mark.parametrize("item_status", list(ItemStatus))
@pytest.mark.parametrize("action", list(ITEM_ACTIONS))
def test_item_moves_only_from_their_legal_statuses(action, item_status):
    move, legal = ITEM_ACTIONS[action]
    job = job_in(JobStatus.RUNNING, item_status)
    before = copy.deepcopy(job)
    if item_status in legal:
        move(job)
    else:
        with pytest.raises(Conflict, match=f"item 0 .* is {item_status.value}"):
            move(job)
        assert job == before


@pytest.mark.parametrize("status", [s for s in JobStatus if s is not JobStatus.RUNNING])
def test_an_item_starts_only_in_a_running_job(status):
    job = job_in(status)
    with pytest.raises(Conflict):
        job.start_item(0)
    assert job.items[0].status is ItemStatus.QUEUED


def test_statuses_are_the_strings_on_the_wire():
    assert [s.value for s in JobStatus] == ["queued", "running", "cancelling", "completed", "failed", "cancelled",
                                            "interrupted", "needs_login"]
    assert [s.value for s in ItemStatus] == ["queued", "running", "done", "failed", "cancelled"]
    assert f"{JobStatus.RUNNING}" == "running"
