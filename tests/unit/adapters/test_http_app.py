"""The Flask app with adapters swapped for fakes by overriding container providers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from dependency_injector import providers

from bootstrap.app import create_app
from bootstrap.settings import Settings
from domain.market import Segment
from tests.fakes.calendar import FakeCalendar
from tests.fakes.market import FakeCatalog, FakeMarketData, FixedClock, MemoryTokenStore
from tests.fakes.stores import InMemoryCandleStore
from tests.unit.application.conftest import INSTRUMENTS, NOW


@pytest.fixture
def app(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, kite_access_token="fake-token"))
    container = app.container
    container.market_data.override(providers.Object(FakeMarketData(INSTRUMENTS)))
    container.catalog.override(providers.Object(FakeCatalog(INSTRUMENTS)))
    container.clock.override(providers.Object(FixedClock(NOW)))
    container.calendar.override(providers.Object(FakeCalendar()))
    container.token_store.override(providers.Object(MemoryTokenStore()))
    container.stores.override(providers.Object({Segment.EQUITY: InMemoryCandleStore(Segment.EQUITY),
                                                Segment.DERIVATIVES: InMemoryCandleStore(Segment.DERIVATIVES)}))
    yield app
    container.unwire()
    container.reset_override()


def test_fetch_through_fakes(app):
    client = app.test_client()
    body = client.post("/api/data/fetch-equity", json={"symbol": "RELIANCE", "from_date": "2024-01-01",
                                                      "to_date": "2024-01-31"}).get_json()
    assert body["success"] and body["records"] == 23 and body["date_range"] == "2024-01-01 to 2024-01-31"
    assert client.get("/api/data/existing-range/NSE/RELIANCE/day").get_json()["end_date"] == "2024-01-31"


def test_candles_outside_every_known_session_are_listed_in_the_body_and_the_fetch_log(app):
    from domain.candles import CandleFrame
    from domain.clock_time import day_start

    saturday = day_start(date(2024, 1, 6))
    app.container.market_data().extra_candles = CandleFrame.from_columns(
        {"ts": [saturday], "open": [1.0], "high": [1.0], "low": [1.0], "close": [1.0], "volume": [1]})
    client = app.test_client()
    body = client.post("/api/data/fetch-equity", json={"symbol": "RELIANCE", "from_date": "2024-01-01",
                                                      "to_date": "2024-01-12"}).get_json()
    assert (body["records"], body["rejected"]) == (10, 1)
    assert body["out_of_session"] == [{"date": "2024-01-06", "candles": 1}]
    assert body["rejected_reasons"] == {"out_of_session": 1}
    (logged,) = client.get("/api/data/fetches").get_json()["fetches"]
    assert logged["out_of_session"] == [{"date": "2024-01-06", "candles": 1}]
    clean = client.post("/api/data/fetch-equity", json={"symbol": "TCS", "from_date": "2024-01-08",
                                                       "to_date": "2024-01-12"}).get_json()
    assert "out_of_session" not in clean


def test_a_bug_is_a_500_that_says_nothing_internal(app):
    class Broken:
        def execute(self, *args, **kwargs):
            raise RuntimeError("secret internals /etc/passwd")

    app.container.describe_database.override(providers.Object(Broken()))
    response = app.test_client().get("/api/data/database-info/EQUITY", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 500
    body = response.get_json()
    assert body == {"success": False, "error": "Internal error (request id abc123)", "error_type": "unknown"}
    assert response.headers["X-Request-ID"] == "abc123"


def test_upstream_failure_is_502(app):
    from domain.errors import UpstreamFailure

    app.container.market_data().fail_with = UpstreamFailure("Kite failed the historical request (HTTP 503)")
    response = app.test_client().post("/api/data/fetch-equity", json={
        "symbol": "TCS", "from_date": "2024-01-01", "to_date": "2024-01-31"})
    assert response.status_code == 502 and response.get_json()["error_type"] == "api"


def test_a_series_never_stored_says_so_and_links_the_fetch_form_filled_in(app):
    client = app.test_client()
    missing = client.get("/series/NSE/M%26M/day")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "is not stored" in page and 'id="chart"' not in page
    assert 'href="/fetch?exchange=NSE&amp;symbol=M%26M&amp;interval=day"' in page
    client.post("/api/data/fetch-equity", json={"symbol": "RELIANCE", "from_date": "2024-01-01",
                                                "to_date": "2024-01-31"})
    stored = client.get("/series/NSE/RELIANCE/day")
    assert stored.status_code == 200 and 'id="chart"' in stored.get_data(as_text=True)


def test_api_docs_page_and_favicon_are_served_from_here(app):
    client = app.test_client()
    docs = client.get("/api/docs").get_data(as_text=True)
    assert 'id="swagger-ui"' in docs and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert not any(ref in docs for ref in ('="http', '="//'))  # nothing from a CDN
    for path in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/api_docs.js", "/favicon.ico",
                 "/static/favicon.svg"):
        assert client.get(path).status_code == 200, path
    assert client.get("/favicon.ico").mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
def test_the_dashboard_shows_a_failed_job_red_and_a_partial_one_amber(app):
    from application.job import ItemStatus, Job, JobItem, JobStatus

    def job(job_id: str, status: JobStatus, *items: ItemStatus) -> Job:
        return Job(job_id, NOW, [JobItem({}, f"S{i}", s) for i, s in enumerate(items)], status=status)

    jobs = app.container.jobs()
    jobs.save(job("allfailed", JobStatus.FAILED, ItemStatus.FAILED, ItemStatus.FAILED))
    jobs.save(job("somefailed", JobStatus.COMPLETED, ItemStatus.DONE, ItemStatus.FAILED))
    jobs.save(job("allgood", JobStatus.COMPLETED, ItemStatus.DONE))
    jobs.save(job("stopped", JobStatus.CANCELLED, ItemStatus.DONE, ItemStatus.CANCELLED))
    html = app.test_client().get("/").get_data(as_text=True)
    rows = {link[1]: row for row in html.split("<tr>")  # each job's id links its progress
            if (link := re.search(r'<a href="/fetch\?job=(\w+)"[^>]*>\1</a>', row))}
    assert '<td class="error">failed</td>' in rows["allfailed"]
    assert '<td class="warn">completed</td>' in rows["somefailed"]
    assert '<td class="">completed</td>' in rows["allgood"]
    assert "1 cancelled" in rows["stopped"]


def test_the_openapi_document_lists_every_job_status(app):
    job = app.test_client().get("/api/openapi.json").get_json()["components"]["schemas"]["Job"]["properties"]
    assert job["status"]["enum"] == ["queued", "running", "cancelling", "completed", "failed", "cancelled",
                                     "interrupted", "needs_login"]
    assert job["outcome"]["enum"] == ["ok", "partial", "failed"]
    assert "cancelled" in job["items"]["items"]["properties"]["status"]["enum"]
