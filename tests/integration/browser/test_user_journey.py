"""A new user's path in a real browser: log in through the sandbox, fetch with live progress, chart, export."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

import requests

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
    assert _checked_intervals(page) == ["day"]  # every interval in sight, day ticked
    assert page.input_value("#from_date") < page.input_value("#to_date")  # a year until a series is chosen
    page.fill("#symbol", "INF")
    page.wait_for_function("document.querySelectorAll('#symbols option').length > 0")  # autocomplete
    options = page.eval_on_selector_all("#symbols option", "els => els.map(e => e.value)")
    assert "INFY" in options
    page.fill("#symbol", "NOSUCHCO, INFY, TCS")  # three symbols in one job, the first of them mistyped
    page.wait_for_function("document.getElementById('span-hint').textContent.includes('NOSUCHCO:day is not stored')")
    page.fill("#from_date", "2025-01-01")
    page.fill("#to_date", "2025-03-31")
    page.click("#interval-day")  # none ticked: said, and nothing sent
    page.click("#submit")
    assert page.is_visible("#form-error") and "at least one interval" in page.inner_text("#form-error")
    assert page.is_hidden("#job")
    page.click("#interval-60minute")  # each symbol at each interval
    page.click("#interval-day")
    assert _checked_intervals(page) == ["60minute", "day"] and page.is_hidden("#form-error")
    assert (page.input_value("#from_date"), page.input_value("#to_date")) == ("2025-01-01", "2025-03-31")
    page.click("#submit")
    page.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    assert page.inner_text("#job-progress") == "100%"
    assert page.locator("#job-items tr").count() == 7  # header + NOSUCHCO, INFY and TCS at 60minute and day
    assert page.inner_text("#job-items").count("done") == 4
    assert page.locator("#job-items td.error").count() == 2  # the mistyped symbol's items, failed, in red
    assert page.get_attribute("#job-status", "class") == "warn"  # completed, but partly: amber
    job_id = page.inner_text("#job-id")
    assert page.url == f"{base}/fetch?job={job_id}"  # a reload, or a link, shows this job again
    assert page.get_attribute("#series-link", "href") == "/series/NSE/INFY/60minute"  # the first that succeeded
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

    page.goto(f"{base}/fetch")  # a stored series chosen: From/To show what is stored
    page.fill("#symbol", "INFY")
    page.wait_for_function("document.getElementById('to_date').value === '2025-03-28'")  # 03-31 was a holiday
    assert page.input_value("#from_date") == "2025-01-01"
    assert page.inner_text("#span-hint") == "NSE:INFY:day is stored from 2025-01-01 to 2025-03-28"
    shot(page, "03a-fetch-stored-span")
    page.fill("#symbol", "ZZNOTSTORED")  # nothing stored: the last year
    page.wait_for_function("document.getElementById('span-hint').textContent.includes('not stored yet')")
    today = date.fromisoformat(page.evaluate("new Date().toISOString().slice(0, 10)"))
    assert page.input_value("#to_date") == str(today)
    assert page.input_value("#from_date") == str(today - timedelta(days=365))
    page.fill("#to_date", "2025-02-28")  # typed by the user: kept whatever the series
    page.fill("#symbol", "INFY")
    page.wait_for_function("document.getElementById('from_date').value === '2025-01-01'")
    assert page.input_value("#to_date") == "2025-02-28"
    page.fill("#symbol", "NOSUCHCO")  # a job whose every item failed links no series
    page.click("#submit")
    page.wait_for_function("document.getElementById('job-status').textContent === 'failed'")
    page.wait_for_function("document.getElementById('submit').disabled === false")  # the stream's `done` came
    assert page.get_attribute("#job-status", "class") == "error" and page.is_hidden("#series-link")

    page.goto(f"{base}/")
    assert "INFY" in page.inner_text("#series") and "INFY" in page.inner_text("#fetches")
    assert "completed" in page.inner_text("#jobs") and page.locator("#jobs td.warn").count() >= 1
    shot(page, "04-dashboard")
    page.click(f"#jobs a:text-is('{job_id}')")  # a job's id opens its progress
    page.wait_for_url(f"{base}/fetch?job={job_id}")
    page.wait_for_function("document.getElementById('job-status').textContent === 'completed'")
    assert page.inner_text("#job-id") == job_id and page.inner_text("#job-progress") == "100%"
    assert page.locator("#job-items tr").count() == 7 and page.locator("#job-items td.error").count() == 2
    # the link is set by the stream's "done" event, which may arrive just after the status reads completed
    page.wait_for_function("document.getElementById('series-link').getAttribute('href') !== '#'")
    assert page.get_attribute("#series-link", "href") == "/series/NSE/INFY/60minute"
    shot(page, "04a-job-page")
    page.goto(f"{base}/fetch?job=nosuchjob")
    page.wait_for_function("document.getElementById('job-status').className === 'error'")
    assert page.inner_text("#job-status") == "No job 'nosuchjob'"  # the API's 404, said
    page.close()


def _checked_intervals(page) -> list[str]:
    return page.eval_on_selector_all("input[name=interval]:checked", "boxes => boxes.map(b => b.value)")


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


def _hover(page, time: int, price: float) -> None:
    """Put the mouse on a candle, found through the chart's own coordinate mapping."""
    x, y = page.evaluate("""([time, price]) => {
        const {chart, candles} = document.getElementById('chart').lightweightCharts;
        const left = chart.priceScale('left').width();  // the pane starts after the left scale, if shown
        return [left + chart.timeScale().timeToCoordinate(time), candles.priceToCoordinate(price)];
    }""", [time, price])
    box = page.locator("#chart").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)


def _legend(page) -> dict:
    """What the legend shows, without the thousands separators."""
    return {name: page.inner_text(f"#legend-{name}").replace(",", "")
            for name in ("time", "open", "high", "low", "close", "volume")}


def _axis_time(stamp: str) -> int:
    """The chart's time of a candle: IST wall time read as UTC seconds (see series.js)."""
    return int(datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp())


def test_the_legend_follows_the_crosshair_and_gaps_read_as_ist_dates(browser, api):
    for start, end in (("2025-01-01", "2025-01-15"), ("2025-01-20", "2025-01-31")):  # a gap between
        fetched = requests.post(f"{api.base}/api/data/fetch-equity", timeout=60,
                                json={"symbol": "WIPRO", "from_date": start, "to_date": end, "interval": "day"})
        assert fetched.status_code == 200, fetched.text
    body = requests.get(f"{api.base}/api/data/candles/NSE/WIPRO/day", timeout=30).json()
    rows = [dict(zip(body["columns"], row, strict=True)) for row in body["rows"]]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/series/NSE/WIPRO/day")
    page.wait_for_function(f"document.getElementById('chart').dataset.candles === '{len(rows)}'")

    def shows(row) -> dict:
        return {"time": row["timestamp"][:10], **{k: f"{row[k]:.2f}" for k in ("open", "high", "low", "close")},
                "volume": str(int(row["volume"]))}

    assert _legend(page) == shows(rows[-1])  # before any hover: the last candle
    assert page.is_hidden("#legend-oi-entry")  # equity: no open interest
    for row in (rows[3], rows[-5]):
        _hover(page, _axis_time(row["timestamp"]), row["close"])
        page.wait_for_function(f"document.getElementById('legend-time').textContent === '{row['timestamp'][:10]}'")
        assert _legend(page) == shows(row)
    shot(page, "06-series-legend")
    page.mouse.move(5, 5)  # off the chart: back to the last candle
    page.wait_for_function(f"document.getElementById('legend-time').textContent === '{rows[-1]['timestamp'][:10]}'")

    assert page.locator("#gaps li").all_inner_texts() == ["2025-01-16 – 2025-01-17"]  # session days: Thu, Fri
    assert page.is_visible("#gaps-title") and page.is_hidden("#empty-title")
    assert page.is_visible("#legend-never") and page.is_hidden("#legend-empty")
    page.close()


def test_never_fetched_and_fetched_empty_days_are_marked_apart(browser, api):
    """A future fetched from before it listed (Kite has nothing there: fetched, empty), with a hole after it."""
    listed = requests.get(f"{api.base}/api/data/instruments/NFO", timeout=60).json()["instruments"]
    future = min((i for i in listed if i["instrument_type"] == "FUT" and i["name"] == "BANKNIFTY"),
                 key=lambda i: i["expiry"])["tradingsymbol"]  # listed 2-3 months ago
    today = date.today()
    for first, last in ((150, 45), (30, 1)):  # days ago; the hole is 44..31 days ago
        fetched = requests.post(f"{api.base}/api/data/fetch-derivatives", timeout=120, json={
            "exchange": "NFO", "symbol": future, "from_date": str(today - timedelta(days=first)),
            "to_date": str(today - timedelta(days=last)), "interval": "day"})
        assert fetched.status_code == 200, fetched.text
    holes = requests.get(f"{api.base}/api/data/gaps/NFO/{future}/day", timeout=30).json()
    assert holes["never_fetched"] and holes["fetched_empty"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/series/NFO/{future}/day")
    page.wait_for_function("(document.getElementById('chart').dataset.bands || '0,0').split(',').every(n => n > 0)")
    never_days = sum((date.fromisoformat(b) - date.fromisoformat(a)).days + 1 for a, b in holes["never_fetched"])
    assert page.get_attribute("#chart", "data-bands") == f"{never_days},{len(holes['fetched_empty'])}"
    colours = page.evaluate("""() => {
        const {chart, bands} = document.getElementById('chart').lightweightCharts;
        const shown = (series) => series.data().filter(
            (bar) => chart.timeScale().timeToCoordinate(bar.time) !== null).length;
        return {never: [bands.never.options().color, shown(bands.never)],
                empty: [bands.empty.options().color, shown(bands.empty)]};
    }""")
    assert colours["never"][0] != colours["empty"][0] and colours["never"][1] > 0 and colours["empty"][1] > 0
    assert page.is_visible("#legend-never") and page.is_visible("#legend-empty")
    run = lambda a, b: a if a == b else f"{a} – {b}"  # noqa: E731
    assert page.locator("#gaps li").all_inner_texts() == [run(a, b) for a, b in holes["never_fetched"]]
    assert page.locator("#empty li").all_text_contents() == holes["fetched_empty"]  # folded when over ten
    empty = holes["fetched_empty"]
    assert page.inner_text("#empty-summary") == f"{len(empty)} session day(s), {run(empty[0], empty[-1])}"
    assert f"of {holes['sessions_expected']} session days" in page.inner_text("#gap-summary")
    shot(page, "06a-series-gaps")
    page.close()


def test_open_interest_has_its_own_scale_and_legend_entry(browser, api):
    listed = requests.get(f"{api.base}/api/data/instruments/NFO", timeout=60).json()["instruments"]
    future = min((i for i in listed if i["instrument_type"] == "FUT" and i["name"] == "NIFTY"),
                 key=lambda i: i["expiry"])["tradingsymbol"]
    today = date.today()
    fetched = requests.post(f"{api.base}/api/data/fetch-derivatives", timeout=120, json={
        "exchange": "NFO", "symbol": future, "from_date": str(today - timedelta(days=14)),
        "to_date": str(today - timedelta(days=1)), "interval": "15minute"})
    assert fetched.status_code == 200, fetched.text
    body = requests.get(f"{api.base}/api/data/candles/NFO/{future}/15minute", timeout=30).json()
    last = dict(zip(body["columns"], body["rows"][-1], strict=True))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/series/NFO/{future}/15minute")
    page.wait_for_function("Number(document.getElementById('chart').dataset.candles || 0) > 0")
    scales = page.evaluate("""() => {
        const {chart, candles, oi} = document.getElementById('chart').lightweightCharts;
        return {candles: candles.options().priceScaleId ?? 'right', oi: oi.options().priceScaleId,
                leftShown: chart.priceScale('left').options().visible,
                leftWidth: chart.priceScale('left').width()};
    }""")
    assert scales["oi"] == "left" and scales["candles"] == "right" and scales["leftShown"]
    assert scales["leftWidth"] > 0
    assert page.is_visible("#legend-oi-entry")
    assert page.inner_text("#legend-oi").replace(",", "") == str(last["oi"])
    assert page.inner_text("#legend-time") == last["timestamp"][:16].replace("T", " ")
    shot(page, "07-series-open-interest")
    page.close()


def test_docs_favicon_unknown_series_and_phone_width(browser, api):
    fetched = requests.post(f"{api.base}/api/data/fetch-equity", timeout=60, json={  # rows for the dashboard
        "symbol": "BHARTIARTL", "from_date": "2025-02-01", "to_date": "2025-02-28", "interval": "day"})
    assert fetched.status_code == 200, fetched.text
    for path in ("/favicon.ico", "/static/favicon.svg"):
        icon = requests.get(f"{api.base}{path}", timeout=10)
        assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    requested, failed = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.goto(f"{api.base}/")
    page.click("text=API")
    page.wait_for_url(f"{api.base}/api/docs")
    page.locator(".swagger-ui .opblock-summary-path", has_text="/api/data/candles/{exchange}").wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 15
    page.locator(".swagger-ui .opblock-summary", has_text="/api/data/candles/{exchange}").click()
    page.locator(".swagger-ui .opblock.is-open .parameters").wait_for()  # its parameters, from the schemas
    assert "limit" in page.inner_text(".swagger-ui .opblock.is-open .parameters")
    shot(page, "08-api-docs")
    assert requested and all(url.startswith(api.base + "/") for url in requested), requested
    assert f"{api.base}/api/openapi.json" in requested and not failed, failed

    missing = page.goto(f"{api.base}/series/NSE/M%26M/3minute")  # M&M is stored, but never at 3minute
    assert missing.status == 404
    assert "is not stored" in page.inner_text("#not-stored") and page.locator("#chart").count() == 0
    shot(page, "09-series-not-stored")
    page.click("#fetch-link")
    page.wait_for_url("**/fetch?**")
    assert page.input_value("#exchange") == "NSE" and page.input_value("#symbol") == "M&M"
    assert _checked_intervals(page) == ["3minute"]
    page.close()

    # Not is_mobile: a mobile viewport widens itself to fit what overflows, and the check below would hold anyway.
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    phone.goto(f"{api.base}/")
    assert phone.locator("#fetches tr").count() > 1  # the wide tables have rows
    widths = phone.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[1] == 375 and widths[0] <= widths[1], widths
    assert phone.evaluate("document.getElementById('fetches').scrollWidth") > 375  # the table scrolls inside
    shot(phone, "10-dashboard-phone")
    phone.close()


def test_tracking_a_symbol_and_an_option_chain_from_the_dashboard(browser, api):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{api.base}/")
    page.select_option("#ts-exchange", "NSE")
    page.fill("#ts-symbol", "wipro")
    page.fill("#ts-from", "2016-01-01")
    page.check("#track-symbol input[value='60minute']")  # day is ticked already
    page.click("#ts-submit")
    wipro = page.locator("#tracked tr[data-id]", has_text="NSE:WIPRO")
    wipro.wait_for()  # the page reloaded with it
    assert "60minute, day" in wipro.inner_text() and "2016-01-01" in wipro.inner_text()
    assert wipro.locator("a").get_attribute("href") == "/series/NSE/WIPRO/60minute"

    page.select_option("#tc-rule", "options")
    page.select_option("#tc-exchange", "NFO")
    page.fill("#tc-underlying", "BANKNIFTY")
    page.fill("#tc-expiries", "1")
    page.fill("#tc-strikes", "2")
    page.uncheck("#track-chain input[value='minute']")
    page.check("#track-chain input[value='15minute']")
    page.click("#tc-submit")
    chain = page.locator("#tracked tr[data-id]", has_text="options of NFO BANKNIFTY")
    chain.wait_for()
    assert "1 nearest expiry, 2 strikes each side of NSE:NIFTY BANK's last close" in chain.inner_text()
    chain.locator("button.contracts").click()  # today's contracts, from the resolve route
    contracts = page.locator(f".contracts-row[data-for='{chain.get_attribute('data-id')}']")
    contracts.locator("table").wait_for()
    assert contracts.locator("tr").count() == 1 + 5 * 2  # the strike at the money and two each side, CE and PE
    assert contracts.locator(".summary").inner_text().startswith("10 contracts today, around NSE:NIFTY BANK's close")
    shot(page, "11-dashboard-tracked")

    page.fill("#ts-symbol", "NOSUCHCO")  # refused: said, and nothing added
    page.click("#ts-submit")
    page.wait_for_function("!document.getElementById('tracked-error').hidden")
    assert page.inner_text("#tracked-error") == "Symbol 'NOSUCHCO' not found on NSE"
    page.fill("#ts-symbol", "WIPRO")  # tracked already: the conflict names the entry
    page.click("#ts-submit")
    page.wait_for_function("document.getElementById('tracked-error').textContent.includes('already tracked')")

    wipro.locator("button.remove").click()
    page.wait_for_function("!document.querySelector('#tracked').textContent.includes('NSE:WIPRO')")
    assert chain.count() == 1
    assert all(e["symbol"] != "WIPRO" for e in requests.get(f"{api.api}/tracked", timeout=10).json()["tracked"]
               if e["rule"] is None)
    shot(page, "12-dashboard-tracked-removed")
    page.close()
