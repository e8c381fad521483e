"""A new user's path in a real browser: log in through the sandbox, fetch with live progress, chart, export."""

from __future__ import annotations

import csv

from tests.integration.browser.conftest import ARTIFACTS


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_login_fetch_chart_export(browser, tokenless_api):
    base = tokenless_api.base
    page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)

    page.goto(f"{base}/login")
    assert "No Kite session" in page.inner_text("#status")
    shot(page, "01-login")
    page.click("#login")  # -> the sandbox's login page, standing in for kite.zerodha.com
    page.click("button[type=submit]")  # "Log in": Kite redirects to /auth/callback, which lands on the dashboard
    page.wait_for_url(f"{base}/")
    assert "Kite session: " in page.inner_text("#session")

    page.goto(f"{base}/fetch")
    page.fill("#symbol", "INF")
    page.wait_for_function("document.querySelectorAll('#symbols option').length > 0")  # autocomplete
    options = page.eval_on_selector_all("#symbols option", "els => els.map(e => e.value)")
    assert "INFY" in options
    page.fill("#symbol", "INFY, TCS, NOSUCHCO")  # three symbols in one job, one of them mistyped
    page.select_option("#interval", ["60minute", "day"])  # each symbol at each interval
    page.fill("#from_date", "2025-01-01")
    page.fill("#to_date", "2025-03-31")
    page.click("#submit")
    page.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    assert page.inner_text("#job-progress") == "100%"
    assert page.locator("#job-items tr").count() == 7  # header + INFY, TCS and NOSUCHCO at 60minute and day
    assert page.inner_text("#job-items").count("done") == 4
    assert page.locator("#job-items td.error").count() == 2  # the mistyped symbol's items, failed, in red
    assert page.get_attribute("#job-status", "class") == "warn"  # completed, but partly: amber
    shot(page, "02-fetch-progress")

    page.click("#series-link")
    page.wait_for_function("Number(document.getElementById('chart').dataset.candles || 0) > 0")
    candles = int(page.get_attribute("#chart", "data-candles"))
    assert candles > 300  # ~59 sessions x 7 hourly candles
    assert page.locator("#chart canvas").count() >= 2
    shot(page, "03-series")

    with page.expect_download() as download:
        page.click("#export-csv")
    path = download.value.path()
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["timestamp", "open"] and len(rows) - 1 == candles
    assert download.value.suggested_filename == "NSE_INFY_60minute.csv"

    page.goto(f"{base}/")
    assert "INFY" in page.inner_text("#series") and "INFY" in page.inner_text("#fetches")
    assert "completed" in page.inner_text("#jobs") and page.locator("#jobs td.warn").count() >= 1
    shot(page, "04-dashboard")
    page.close()


def test_a_long_minute_history_loads_older_candles_on_demand(browser, api):
    """The chart gets the newest 20,000 candles; older ones come page by page, without duplicates."""
    import requests

    fetched = requests.post(f"{api.base}/api/data/fetch-equity", timeout=120,
                            json={"symbol": "RELIANCE", "from_date": "2024-01-01", "to_date": "2024-04-30",
                                  "interval": "minute"})
    assert fetched.status_code == 200, fetched.text
    total = requests.get(f"{api.base}/api/data/candles/NSE/RELIANCE/minute?limit=1", timeout=30).json()["total"]
    assert total > 20_000
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/series/NSE/RELIANCE/minute")
    page.wait_for_function("document.getElementById('chart').dataset.candles === '20000'")
    shown = 20_000
    while page.is_visible("#older"):  # other tests may have stored more of this series: page until none left
        page.click("#older")
        page.wait_for_function(f"Number(document.getElementById('chart').dataset.candles) > {shown}")
        shown = int(page.get_attribute("#chart", "data-candles"))
    assert shown == total
    assert f"{total} candles shown of {total}" in page.inner_text("#summary")
    shot(page, "05-series-older")
    page.close()
