"""The dashboard's stored-series pages over real HDF5 files, and the page links of its two paged lists."""

from __future__ import annotations

import json
import re

from bootstrap.app import create_app
from bootstrap.queries import segment_store
from bootstrap.settings import Settings
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment


def test_each_list_pages_on_its_own_and_its_links_keep_the_others_page(tmp_path):
    settings = Settings(data_dir=tmp_path, durable=False)
    store = segment_store(settings, Segment.DERIVATIVES)
    for n in range(120):
        store.write(SeriesKey(Exchange.NFO, f"X{n:03}", Interval.DAY), CandleFrame.empty(True), [(1, 86_399)])
    entries = [{"id": f"id{n:03}", "exchange": "NSE", "kind": "series", "symbol": f"SYM{n:03}", "intervals": ["day"],
                "from_date": "2020-01-01", "created_at": 1_700_000_000} for n in range(60)]
    (tmp_path / "tracked.json").write_text(json.dumps({"version": 1, "tracked": entries}))
    app = create_app(settings)
    try:
        html = app.test_client().get("/?series_page=3&tracked_page=2").get_data(as_text=True)
        table = html[html.index('<table id="series">'):html.index('id="tracked-title"')]
        assert re.findall(r">(X\d+)</a>", table) == [f"X{n:03}" for n in range(100, 120)]
        text = " ".join(html.split())
        assert "Page 3 of 3 (120 series)" in text and "Page 2 of 2 (60 tracked)" in text
        links = dict(re.findall(r'<a href="([^"]+)" id="((?:series|tracked)-(?:prev|next))"', html))
        assert {v: k.replace("&amp;", "&") for k, v in links.items()} == {
            "series-prev": "/?series_page=2&tracked_page=2#stored-series",
            "tracked-prev": "/?series_page=3&tracked_page=1#tracked-title"}
        past = app.test_client().get("/?series_page=9").get_data(as_text=True)  # past the last: empty, no error
        assert not re.findall(r">(X\d+)</a>", past[past.index('<table id="series">'):])
    finally:
        app.container.unwire()
