"""database_body: its quick dataset dicts say what series_notes and ist_date say, and a page is echoed."""

from __future__ import annotations

import random

from adapters.inbound.presenters import database_body, series_notes
from application.ports import SeriesInfo, StoreDescription
from domain.adjustments import StaleMark
from domain.clock_time import ist_date
from domain.coverage import Coverage
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment


def spelled_out(s: SeriesInfo) -> dict:
    """The dataset as database_body built it before it was made quick."""
    return {"exchange": s.key.exchange.value, "symbol": s.key.symbol, "interval": s.key.interval.value,
            "rows": s.rows,
            "start_date": ist_date(s.first_ts).isoformat() if s.first_ts is not None else None,
            "end_date": ist_date(s.last_ts).isoformat() if s.last_ts is not None else None,
            **series_notes(s)}


def random_series(rng: random.Random, i: int) -> SeriesInfo:
    first = rng.choice([None, rng.randrange(0, 4_000_000_000)])
    maybe = lambda: rng.choice([None, rng.randrange(0, 4_000_000_000)])  # noqa: E731
    return SeriesInfo(SeriesKey(rng.choice([Exchange.NFO, Exchange.BFO]), f"S{i}", rng.choice(list(Interval))),
                      rng.randrange(10**6), first, None if first is None else first + rng.randrange(10**8),
                      Coverage(), stale=rng.choice([None, StaleMark(rng.randrange(0, 4_000_000_000), ("e",))]),
                      provisional_from=maybe(), healed_at=maybe())


def description(series: list[SeriesInfo]) -> StoreDescription:
    return StoreDescription(Segment.DERIVATIVES, "/data/DERIVATIVES.h5", True, 3_456_789, series)


def test_every_dataset_as_spelled_out_before():
    rng = random.Random(7)
    series = [random_series(rng, i) for i in range(2000)]
    body = database_body(description(series))
    assert body["datasets"] == [spelled_out(s) for s in series]
    assert [list(d) for d in body["datasets"][:1]] == [list(spelled_out(series[0]))]  # the same key order
    assert "offset" not in body and "limit" not in body and body["total_datasets"] == 2000


def test_a_page_is_echoed():
    rng = random.Random(8)
    series = [random_series(rng, i) for i in range(30)]
    page = database_body(description(series), 10, 5)
    assert page["datasets"] == [spelled_out(s) for s in series[10:15]]
    assert (page["offset"], page["limit"], page["total_datasets"]) == (10, 5, 30)
    assert database_body(description(series), 0, None) == database_body(description(series))
