"""The dashboard in a real browser against the sandbox: the next scheduled sync, "Sync now" with live progress and the
last sync it leaves, the login banner (no session, a scheduled sync waiting for a login), stored series paged."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import requests

from adapters.inbound.schemas import today_ist
from adapters.outbound.job_files import JobFiles
from application.job import Job
from bootstrap.queries import segment_store, trading_calendar
from bootstrap.settings import Settings
from domain.candles import CandleFrame
from domain.clock_time import to_datetime
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.sync_schedule import next_slot, parse_times
from tests.integration.browser.test_user_journey import shot
from tests.integration.conftest import _serve
from tests.integration.processes import free_port

SYNC_AT = "09:05,16:05"


@pytest.fixture
def scheduled_api(sandbox_process, tmp_path, monkeypatch):
    """A server holding a token and a sync schedule, its data dir empty: its catch-up tick finds nothing to sync."""
    monkeypatch.setenv("KITEFETCH_SYNC_AT", SYNC_AT)
    server = _serve(sandbox_process, tmp_path / "data", free_port(), tmp_path / "api.log", "sandbox-token")
    deadline = time.monotonic() + 60  # that tick done, no scheduled job can come between the test's own syncs
    while "scheduled_sync_not_started" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "scheduled_sync_not_started" in server.output()
    yield server
    server.stop()


def expected_next_runs(data_dir) -> set[str]:
    """The next slot as the page words it, now and a minute on (a slot may pass between page and test)."""
    calendar = trading_calendar(Settings(data_dir=data_dir))
    trading = lambda day: bool(calendar.sessions_on(Exchange.NSE, day))  # noqa: E731
    now = int(time.time())
    return {to_datetime(slot).strftime("%a %Y-%m-%d %H:%M") for at in (now, now + 60)
            if (slot := next_slot(at, parse_times(SYNC_AT), trading))}


def test_sync_now_shows_live_progress_then_the_last_sync(browser, scheduled_api):
    api = scheduled_api
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/")
    shown = re.fullmatch(r"Next scheduled sync: (.+) IST \(KITEFETCH_SYNC_AT 09:05, 16:05, on trading days\)",
                         page.inner_text("#next-sync"))
    assert shown and shown[1] in expected_next_runs(api.data_dir), page.inner_text("#next-sync")
    assert page.is_visible("#no-sync") and page.is_hidden("#job") and page.is_hidden("#login-banner")

    refused = requests.post(f"{api.api}/sync", json={}, timeout=30)  # nothing tracked or stored yet
    assert refused.status_code == 400
    page.click("#sync-now")
    page.wait_for_function("!document.getElementById('sync-error').hidden")
    assert page.inner_text("#sync-error") == refused.json()["error"]
    assert page.is_enabled("#sync-now") and page.is_hidden("#job")

    body = {"exchange": "NSE", "symbol": "TCS", "intervals": ["day"],
            "from_date": str(today_ist() - timedelta(days=90))}
    assert requests.post(f"{api.api}/tracked", json=body, timeout=60).status_code == 201
    progress = []
    page.expose_function("seen", lambda text: progress.append(text))
    page.evaluate("""() => new MutationObserver(() => seen(document.getElementById('job-progress').textContent))
                     .observe(document.getElementById('job-progress'), {childList: true})""")
    page.click("#sync-now")
    page.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    page.wait_for_function("!document.getElementById('sync-now').disabled")  # the stream's `done` came
    assert progress and progress[-1] == "100%"
    summary = page.inner_text("#job-summary")
    added = re.fullmatch(r"1 series: 1 updated, (\d+) candles added, (\d+) requests, 0 failed, 0 up to date", summary)
    assert added and int(added[1]) > 40 and int(added[2]) >= 1, summary
    job_id = page.inner_text("#job-id")
    assert page.get_attribute("#job-id", "href") == f"/fetch?job={job_id}"
    assert re.fullmatch(r"\(sync, started [-\d: ]+ IST, finished [-\d: ]+ IST\)", page.inner_text("#job-when"))
    assert page.is_hidden("#no-sync") and page.is_hidden("#job-items")  # no series running or failed
    shot(page, "13-dashboard-sync-now")

    page.reload()  # the last sync, rendered by the server as the page drew it live
    assert page.inner_text("#job-id") == job_id and page.inner_text("#job-status") == "completed"
    assert page.inner_text("#job-summary") == summary and page.inner_text("#job-progress") == "100%"
    assert page.inner_text("#job-when").startswith("(sync, started ")

    page.click("#sync-now")  # at once again: nothing new, and not one request
    page.wait_for_function(f"document.getElementById('job-id').textContent !== '{job_id}'")
    page.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    page.wait_for_function("document.getElementById('job-summary').textContent.includes('0 requests')")
    assert page.inner_text("#job-summary") == ("1 series: 0 updated, 0 candles added, 0 requests, 0 failed, "
                                               "1 up to date")  # planned up to date: no item, no request
    page.reload()  # and the server words it alike
    assert page.inner_text("#job-summary") == ("1 series: 0 updated, 0 candles added, 0 requests, 0 failed, "
                                               "1 up to date")
    page.click("#job-id")  # its progress page: completed, with no series to fetch
    page.wait_for_url(f"{api.base}/fetch?job=*")
    page.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    assert page.locator("#job-items tr").count() <= 1
    page.close()


@pytest.fixture
def stored_api(sandbox_process, tmp_path):
    """A server without a token over a data dir holding 45 equity and 15 derivatives series (written by the store
    itself before the server starts: empty series, as a fetch of nothing but coverage leaves them)."""
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, durable=False)
    for segment, exchange, count in ((Segment.EQUITY, Exchange.NSE, 45), (Segment.DERIVATIVES, Exchange.NFO, 15)):
        store = segment_store(settings, segment)
        empty = CandleFrame.empty(segment is Segment.DERIVATIVES)
        for n in range(count):
            store.write(SeriesKey(exchange, f"S{n:03}", Interval.DAY), empty, [(1_700_000_000, 1_700_086_399)])
    server = _serve(sandbox_process, data_dir, free_port(), tmp_path / "api.log", None)
    yield server
    server.stop()


def series_rows(page) -> list[str]:
    return page.eval_on_selector_all("#series tr", "rows => rows.slice(1).map(r => r.cells[0].textContent + ':' +"
                                                   " r.cells[1].textContent)")


def test_the_login_banner_and_stored_series_paged(browser, stored_api):
    api = stored_api
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/")
    assert page.is_visible("#login-banner") and "No Kite session" in page.inner_text("#no-session")
    assert page.get_attribute("#no-session a", "href") == "/login"
    assert page.locator("#waiting-sync").count() == 0 and page.locator("#session").count() == 0
    assert page.inner_text("#next-sync") == "Not scheduled (KITEFETCH_SYNC_AT unset)."

    rows = series_rows(page)
    assert len(rows) == 50 and rows[0] == "NSE:S000" and rows[44] == "NSE:S044" and rows[45:] == [
        f"NFO:S{n:03}" for n in range(5)]
    assert page.inner_text("#series-pages").startswith("Page 1 of 2 (60 series)")
    assert page.locator("#series-prev").count() == 0
    page.click("#series-next")
    page.wait_for_url(f"{api.base}/?series_page=2#stored-series")
    assert series_rows(page) == [f"NFO:S{n:03}" for n in range(5, 15)]
    assert page.inner_text("#series-pages").startswith("Page 2 of 2 (60 series)")
    assert page.locator("#series-next").count() == 0
    shot(page, "14-dashboard-series-page-2")
    page.click("#series-prev")
    page.wait_for_url(f"{api.base}/?series_page=1#stored-series")
    assert len(series_rows(page)) == 50

    refused = requests.post(f"{api.api}/sync", json={}, timeout=30)  # no session: nothing can be planned
    assert refused.status_code == 401
    page.click("#sync-now")
    page.wait_for_function("!document.getElementById('sync-error').hidden")
    assert page.inner_text("#sync-error") == refused.json()["error"]

    waiting = Job.awaiting_login("waitingjob", int(time.time()))  # as the schedule leaves one without a token
    JobFiles(api.data_dir / "jobs", durable=False).save(waiting)
    page.reload()
    banner = page.inner_text("#waiting-sync")
    assert banner.startswith("A scheduled sync is waiting for a login (waitingjob, since ")
    assert banner.endswith("log in and it starts within a minute.")
    assert page.get_attribute("#waiting-sync a[href='/login']", "href") == "/login"
    assert page.inner_text("#job-status") == "needs_login" and page.inner_text("#job-summary") == "waiting for a login"
    shot(page, "15-dashboard-login-banner")
    page.click("#login-banner a[href='/login']")
    page.wait_for_url(f"{api.base}/login")
    page.close()
