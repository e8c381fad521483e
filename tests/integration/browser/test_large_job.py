"""A sync of 3,000 series in a real browser: the dashboard's sync card and the job's page show the totals of every
series and a bounded list of them ("showing N of 3000 series"), live until the job completes."""

from __future__ import annotations

import re

import pytest

from tests.integration.api.test_job_bodies import finish_big_job, totals, write_big_job
from tests.integration.browser.test_user_journey import shot
from tests.integration.conftest import _serve
from tests.integration.processes import free_port


@pytest.fixture
def syncing_api(sandbox_process, tmp_path):
    """A server whose data dir holds a sync of 3,000 series, running (owned by this test process)."""
    data_dir = tmp_path / "data"
    job = write_big_job(data_dir, "sync3k", 3000)
    server = _serve(sandbox_process, data_dir, free_port(), tmp_path / "api.log", None)
    server.job = job
    yield server
    server.stop()


def rows(page) -> list[str]:
    return page.eval_on_selector_all("#job-items tr", "rows => rows.slice(1).map(r => r.cells[0].textContent + ' ' +"
                                                      " r.cells[2].textContent)")


def summary(job) -> str:
    updated, candles, requests = totals(job)
    return f"3000 series: {updated} updated, {candles} candles added, {requests} requests, 30 failed, 0 up to date"


def test_a_large_sync_shows_its_totals_and_some_of_its_series(browser, syncing_api):
    api, job = syncing_api, syncing_api.job
    dashboard = browser.new_page(viewport={"width": 1280, "height": 900})
    dashboard.set_default_timeout(60_000)
    dashboard.goto(f"{api.base}/")
    assert dashboard.get_attribute("#sync", "data-follow") == "sync3k" and dashboard.is_disabled("#sync-now")
    dashboard.wait_for_function("!document.getElementById('job-shown').hidden")  # the job as GET lists it, then
    dashboard.wait_for_function("document.querySelector('#job-items tr + tr td + td + td').textContent === 'running'")
    assert dashboard.inner_text("#job-summary") == summary(job) == \
        "3000 series: 1200 updated, 450000 candles added, 1800 requests, 30 failed, 0 up to date"
    shown = rows(dashboard)  # the series running first, then those failed: 20 rows at most
    assert shown[:3] == [f"{job.items[n].symbol} running" for n in (1830, 1831, 1832)]
    assert shown[3:] == [f"{job.items[n].symbol} failed" for n in range(1800, 1817)]
    assert dashboard.inner_text("#job-shown") == "showing 20 of 3000 series"
    assert dashboard.inner_text("#job-status") == "running" and dashboard.inner_text("#job-progress") == "61%"

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/fetch?job=sync3k")  # its own page: what its events list
    page.wait_for_function("document.getElementById('job-shown').textContent === 'showing 53 of 3000 series'")
    listed = rows(page)
    assert listed[0] == f"{job.items[1780].symbol} done" and listed[-1] == f"{job.items[1832].symbol} running"
    assert page.inner_text("#job-status") == "running" and len(listed) == 20 + 30 + 3
    shot(page, "20-large-job-running")

    finish_big_job(api.data_dir, job)
    for p in (dashboard, page):
        p.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    dashboard.wait_for_function("!document.getElementById('sync-now').disabled")  # the stream's `done` came
    assert dashboard.inner_text("#job-summary") == summary(job) == \
        "3000 series: 2370 updated, 888750 candles added, 2970 requests, 30 failed, 0 up to date"
    assert dashboard.inner_text("#job-shown") == "showing 20 of 3000 series"
    assert rows(dashboard) == [f"{job.items[n].symbol} failed" for n in range(1800, 1820)]
    page.wait_for_function("document.getElementById('job-shown').textContent === 'showing 50 of 3000 series'")
    assert rows(page)[-1] == f"{job.items[2999].symbol} done" and page.inner_text("#job-progress") == "100%"
    assert re.fullmatch(r"\(sync, started [-\d: ]+ IST, finished [-\d: ]+ IST\)", dashboard.inner_text("#job-when"))
    shot(dashboard, "21-large-sync-completed")
    page.close()
    dashboard.close()
