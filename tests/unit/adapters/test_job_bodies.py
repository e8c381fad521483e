"""A job's body: totals summed over every item, pages of its items, and the bounded view a large job's events carry."""

from __future__ import annotations

import pytest

from adapters.inbound.http.job_bodies import LIVE_ITEMS_MAX, job_body, job_event_body, job_page_body
from adapters.outbound.job_files import JobFiles
from application.job import ItemStatus, Job, JobItem, JobOrigin, JobStatus
from bootstrap.app import create_app
from bootstrap.settings import Settings

REQUEST = {"segment": "EQUITY", "symbol": "INFY", "exchange": "NSE", "from_date": "2024-01-01",
           "to_date": "2024-01-31", "interval": "day", "validate": True, "overwrite": False, "incremental": True}


def item(n: int, status: ItemStatus, records: int = 0, requests: int = 0) -> JobItem:
    failed = status is ItemStatus.FAILED
    return JobItem({**REQUEST, "symbol": f"S{n}"}, f"S{n}", status, requests_done=requests, requests_total=2,
                   records=records, error="no such symbol" if failed else None,
                   error_type="not_found" if failed else None)


def big_job(size: int = 3000) -> Job:
    """Items 0-1999 done (every other one with candles), 2000-2149 failed, 2150-2151 running, the rest queued."""
    items = [item(n, ItemStatus.DONE, 10 * (n % 2), 1) for n in range(2000)]
    items += [item(n, ItemStatus.FAILED) for n in range(2000, 2150)]
    items += [item(n, ItemStatus.RUNNING, 5, 1) for n in range(2150, 2152)]
    items += [item(n, ItemStatus.QUEUED) for n in range(2152, size)]
    return Job("big", 1, items, JobStatus.RUNNING, origin=JobOrigin.SYNC)


def test_the_totals_count_every_item_and_the_default_body_lists_them_all_as_ever():
    job = Job("small", 1, [item(0, ItemStatus.DONE, 40, 2), item(1, ItemStatus.DONE, 0, 1),
                           item(2, ItemStatus.FAILED), item(3, ItemStatus.RUNNING, 7, 1)], JobStatus.RUNNING)
    body = job_body(job)
    assert (body["series_updated"], body["candles_added"], body["requests"]) == (2, 47, 4)
    assert (body["items_total"], body["items_partial"], body["total"]) == (4, False, 4)
    assert [i["symbol"] for i in body["items"]] == ["S0", "S1", "S2", "S3"] and "index" not in body["items"][0]
    assert job_event_body(job) == body  # a small job streams what GET answers


def test_a_large_jobs_event_lists_the_running_the_last_failed_and_the_last_done_items():
    job = big_job()
    body = job_event_body(job)
    indexes = [i["index"] for i in body["items"]]
    assert indexes == [*range(1980, 2000), *range(2050, 2150), 2150, 2151]  # in the job's order
    assert [body["items"][0]["symbol"], body["items"][-1]["status"]] == ["S1980", "running"]
    assert (body["items_total"], body["items_partial"], body["total"], body["failed"]) == (3000, True, 3000, 150)
    assert (body["series_updated"], body["candles_added"], body["requests"]) == (1002, 10_010, 2002)
    assert job_event_body(big_job(LIVE_ITEMS_MAX + 1))["items_partial"]
    assert len(job_event_body(Job("b", 1, big_job().items[-LIVE_ITEMS_MAX:]))["items"]) == LIVE_ITEMS_MAX


def test_a_page_of_items_in_the_states_asked():
    job = big_job()
    failed = job_page_body(job, {ItemStatus.FAILED, ItemStatus.RUNNING}, 140, 5)
    assert [i["index"] for i in failed["items"]] == [2140, 2141, 2142, 2143, 2144]
    assert (failed["items_total"], failed["items_partial"], failed["offset"], failed["limit"]) == (152, True, 140, 5)
    assert failed["item_status"] == ["running", "failed"] and failed["series_updated"] == 1002
    tail = job_page_body(job, (), 2990, None)
    assert [i["index"] for i in tail["items"]] == list(range(2990, 3000)) and tail["items_total"] == 3000
    assert tail["items_partial"] and tail["item_status"] is None
    assert job_page_body(job, (), 5000, 10)["items"] == []


@pytest.fixture
def client(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, kite_access_token="fake-token", durable=False))
    JobFiles(tmp_path / "jobs", durable=False).save(big_job())
    yield app.test_client()
    app.container.unwire()


def test_get_lists_every_item_unless_some_are_asked_for(client):
    everything = client.get("/api/jobs/big?utm_source=x").get_json()  # an unknown parameter is ignored
    assert len(everything["items"]) == 3000 and "offset" not in everything and not everything["items_partial"]
    page = client.get("/api/jobs/big?item_status=failed&offset=100&limit=10000").get_json()
    assert [i["index"] for i in page["items"]] == list(range(2100, 2150)) and page["items_total"] == 150
    assert (page["offset"], page["limit"], page["item_status"]) == (100, 10_000, ["failed"])
    first = client.get("/api/jobs/big?limit=2").get_json()
    assert [i["symbol"] for i in first["items"]] == ["S0", "S1"] and first["items_partial"]


def test_the_job_list_and_a_cancel_answer_a_large_job_with_some_of_its_items(client):
    (listed,) = client.get("/api/jobs").get_json()["jobs"]
    assert listed["items_partial"] and listed["items_total"] == 3000 and len(listed["items"]) < 300
    assert listed["candles_added"] == client.get("/api/jobs/big").get_json()["candles_added"]  # totals: every item
    cancelled = client.post("/api/jobs/big/cancel", json={})
    assert cancelled.status_code == 200 and cancelled.get_json()["items_partial"]
    assert cancelled.get_json()["status"] in ("cancelling", "cancelled")


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "limit=ten", "offset=-1", "item_status=done,finished",
                                   "item_status="])
def test_a_page_that_cannot_be_is_refused_with_the_envelope(client, query):
    response = client.get(f"/api/jobs/big?{query}")
    assert response.status_code == 400
    assert response.get_json()["success"] is False and response.get_json()["error_type"] == "validation"
