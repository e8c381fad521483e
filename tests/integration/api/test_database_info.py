"""GET /api/data/database-info over real HDF5 files: pages of the datasets, and the bytes Flask's jsonify writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from bootstrap.app import create_app
from bootstrap.settings import Settings
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.integration.store.test_catalog import START, candles, span


def stored(data_dir: Path, count: int) -> None:
    store = Hdf5SegmentStore(data_dir / "DERIVATIVES.h5", Segment.DERIVATIVES, durable=False)
    for i in range(count):
        frame = candles(i, 3, seed=i)
        key = SeriesKey(Exchange.BFO if i % 3 == 0 else Exchange.NFO, f"SENSEX{i:03d}CE", Interval.MINUTE)
        store.write(key, frame, [span(frame)])
    store.close()


def jsonify_bytes(body: dict) -> bytes:
    """What Flask's default JSON provider writes outside debug mode (bootstrap/app.py keeps keys in order)."""
    return (json.dumps(body, separators=(",", ":"), ensure_ascii=True) + "\n").encode()


@pytest.fixture
def client(tmp_path):
    stored(tmp_path, 30)
    app = create_app(Settings(data_dir=tmp_path, kite_access_token="fake-token"))
    yield app.test_client()
    app.container.unwire()


def test_all_datasets_without_paging_as_before(client):
    response = client.get("/api/data/database-info/DERIVATIVES")
    body = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data() == jsonify_bytes(body)
    assert list(body) == ["success", "segment", "file_path", "exists", "size_mb", "exchanges", "total_datasets",
                          "datasets"]
    assert body["total_datasets"] == len(body["datasets"]) == 30 and body["exchanges"] == ["BFO", "NFO"]
    assert [d["exchange"] for d in body["datasets"]] == ["NFO"] * 20 + ["BFO"] * 10  # the segment's order
    assert [d["symbol"] for d in body["datasets"][:20]] == sorted(d["symbol"] for d in body["datasets"][:20])
    first = body["datasets"][0]
    assert first == {"exchange": "NFO", "symbol": "SENSEX001CE", "interval": "minute", "rows": 3,
                     "start_date": "2025-01-01", "end_date": "2025-01-01", "stale_before": None, "healed_at": None,
                     "provisional_from": None}
    assert client.get("/api/data/database-info/derivatives?cachebuster=1").get_data() == response.get_data()


def test_a_page_of_datasets(client):
    everything = client.get("/api/data/database-info/DERIVATIVES").get_json()
    page = client.get("/api/data/database-info/DERIVATIVES?offset=5&limit=10").get_json()
    assert page["datasets"] == everything["datasets"][5:15]
    assert (page["offset"], page["limit"], page["total_datasets"]) == (5, 10, 30)
    assert list(page)[-3:] == ["offset", "limit", "datasets"]
    assert client.get("/api/data/database-info/DERIVATIVES?limit=50").get_json()["datasets"] == everything["datasets"]
    rest = client.get("/api/data/database-info/DERIVATIVES?offset=25").get_json()
    assert rest["datasets"] == everything["datasets"][25:] and (rest["offset"], rest["limit"]) == (25, None)
    beyond = client.get("/api/data/database-info/DERIVATIVES?offset=30&limit=5").get_json()
    assert beyond["datasets"] == [] and beyond["total_datasets"] == 30


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "offset=-1", "limit=ten", "offset=1.5",
                                   f"offset={2**70}"])
def test_a_bad_page_is_a_400_naming_it(client, query):
    response = client.get(f"/api/data/database-info/DERIVATIVES?{query}")
    body = response.get_json()
    assert response.status_code == 400 and body["success"] is False and body["error_type"] == "validation"
    assert query.split("=")[0] in body["error"]


def test_text_beyond_ascii_is_escaped_as_jsonify_does(tmp_path):
    data_dir = tmp_path / "डेटा"
    data_dir.mkdir()
    stored(data_dir, 2)
    app = create_app(Settings(data_dir=data_dir, kite_access_token="fake-token"))
    try:
        response = app.test_client().get("/api/data/database-info/DERIVATIVES")
    finally:
        app.container.unwire()
    body = response.get_json()
    assert body["file_path"] == str(data_dir / "DERIVATIVES.h5") and body["total_datasets"] == 2
    assert response.get_data() == jsonify_bytes(body) and response.get_data().isascii()


def test_stale_healed_and_provisional_marks_are_listed(tmp_path):
    from domain.adjustments import Adjustment, ChangeKind

    store = Hdf5SegmentStore(tmp_path / "DERIVATIVES.h5", Segment.DERIVATIVES, durable=False)
    key = SeriesKey(Exchange.NFO, "MARKED", Interval.MINUTE)
    frame = candles(0, 5)
    store.write(key, frame, [span(frame)], provisional_from=int(frame.ts[3]))
    store.mark_stale([key], START + 86_400, Adjustment("e1", ChangeKind.CORPORATE_ACTION, START, (str(key),)))
    store.close()
    app = create_app(Settings(data_dir=tmp_path, kite_access_token="fake-token"))
    try:
        (listed,) = app.test_client().get("/api/data/database-info/DERIVATIVES").get_json()["datasets"]
    finally:
        app.container.unwire()
    assert (listed["stale_before"], listed["healed_at"], listed["provisional_from"]) == (
        "2025-01-02", None, "2025-01-01T09:08:00+05:30")
