"""The small files kept beside the store: a write the OS refuses (the disk full at the Nth write, a read-only
data dir) is a storage error and keeps the old file; a damaged file is skipped or rebuilt with a warning naming
it, never an exception out of the reader."""

from __future__ import annotations

import errno
import struct
import time

import orjson
import pytest
from structlog.testing import capture_logs

from adapters.outbound.fetch_log import FetchLogFile
from adapters.outbound.hdf5.generation import generation_path
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments import listing_file
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.instruments.persisted import PersistedCatalog
from adapters.outbound.job_files import JobFiles
from adapters.outbound.kite.rate_limiter import SharedRateLimiter
from adapters.outbound.token_file import TokenFile
from application.fetch_record import FetchRecord
from application.job import Job, JobItem
from application.ports import BrokerSession
from domain.errors import StorageFull, StorageUnavailable
from domain.market import Exchange, Segment
from tests.contracts.candle_store import JAN, RELIANCE, candles
from tests.fakes.market import FakeMarketData, FixedClock
from tests.os_faults import FullDisk
from tests.unit.application.conftest import INSTRUMENTS, NOW


def job(job_id: str = "a1", created_at: int = 1, symbol: str = "INFY") -> Job:
    return Job(job_id, created_at, [JobItem({"symbol": symbol}, symbol)])


def warnings(logs: list[dict], event: str) -> list[dict]:
    return [entry for entry in logs if entry["event"] == event]


def refused_at_every_write(mocker, directory, write, code=errno.ENOSPC):
    """Run `write()` once to count its writes, then once per write with the disk refusing from that write on:
    yields after each refusal (the caller checks the old file), then the same write runs with room again."""
    disk = FullDisk(mocker, directory, code=code)
    write()
    count = disk.writes
    assert count >= 1
    for n in range(count):
        disk.arm(n)
        with pytest.raises(StorageFull if code == errno.ENOSPC else StorageUnavailable) as raised:
            write()
        disk.free()
        yield n, raised.value
        write()


# -- a write the OS refuses -------------------------------------------------------------------------------------

def test_a_job_save_on_a_full_disk_keeps_the_saved_job(tmp_path, mocker):
    jobs = JobFiles(tmp_path / "jobs")
    jobs.save(job(symbol="INFY"))
    newer = job(symbol="TCS")
    for _, error in refused_at_every_write(mocker, tmp_path, lambda: jobs.save(newer)):
        assert error.message.startswith(f"disk full: {tmp_path / 'jobs'} has ")
        assert [j.items[0].symbol for j in jobs.all()] in (["INFY"], ["TCS"])  # whole, old or new
        assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == ["a1.json"]  # no scratch file left


def test_a_token_save_on_a_full_disk_keeps_the_old_token(tmp_path, mocker):
    tokens = TokenFile(tmp_path / "kite_token.json")
    tokens.save(BrokerSession("old-token", "AB1234", "A", ""))
    for _, error in refused_at_every_write(mocker, tmp_path,
                                           lambda: tokens.save(BrokerSession("new-token", "AB1234", "A", ""))):
        assert error.error_type == "storage" and str(tmp_path) in error.message
        assert TokenFile(tokens.path).load().access_token in ("old-token", "new-token")
        assert [p.name for p in tmp_path.iterdir()] == ["kite_token.json"]


def test_a_read_only_data_dir_is_storage_unavailable_naming_it(tmp_path, mocker):
    jobs = JobFiles(tmp_path / "jobs")
    for _, error in refused_at_every_write(mocker, tmp_path, lambda: jobs.save(job()), code=errno.EROFS):
        assert error.message.startswith(f"{tmp_path / 'jobs'} is on a read-only file system")


def test_the_log_line_keeps_the_os_errno(tmp_path, mocker):
    disk = FullDisk(mocker, tmp_path, fail_at=0)
    with capture_logs() as logs, pytest.raises(StorageFull):
        TokenFile(tmp_path / "kite_token.json").save(BrokerSession("t", "AB1234", "A", ""))
    disk.free()
    [line] = warnings(logs, "storage_os_error")
    assert line["errno"] == "ENOSPC" and "No space left on device" in line["error"]


def test_a_fetch_log_entry_the_disk_refuses_is_dropped_and_the_next_starts_its_own_line(tmp_path, mocker):
    """The fetch it records keeps its outcome; the half line the full disk left is skipped, and the entry written
    once space is freed is not glued to it."""
    log = FetchLogFile(tmp_path / "fetch-log.jsonl")
    log.record(FetchRecord(1, "NSE", "INFY", "day"))
    disk = FullDisk(mocker, tmp_path, fail_at=0)
    with capture_logs() as logs:
        log.record(FetchRecord(2, "NSE", "TCS", "day"))  # half of it written, then ENOSPC: no exception
        disk.free()
        log.record(FetchRecord(3, "NSE", "WIPRO", "day"))
        assert [r.symbol for r in log.recent()] == ["WIPRO", "INFY"]
        log.recent()
    [dropped] = warnings(logs, "fetch_log_entry_dropped")
    assert dropped["errno"] == "ENOSPC" and dropped["symbol"] == "TCS"
    assert [w["path"] for w in warnings(logs, "fetch_log_lines_skipped")] == [str(log.path)]  # once, naming it


def test_an_instrument_list_the_disk_refuses_is_served_from_memory(tmp_path, mocker):
    cache = InstrumentCache(FakeMarketData(INSTRUMENTS), tmp_path / "instruments", FixedClock(NOW))
    FullDisk(mocker, tmp_path, fail_at=0)
    with capture_logs() as logs:
        assert cache.lookup(Exchange.NSE, "RELIANCE") is not None
    [line] = warnings(logs, "instrument_cache_not_saved")
    assert line["errno"] == "ENOSPC" and line["path"] == str(tmp_path / "instruments" / "NSE.json")


def test_the_rate_limiters_slot_on_a_full_disk_is_storage_full(tmp_path, mocker):
    FullDisk(mocker, tmp_path, fail_at=0)
    with pytest.raises(StorageFull):
        SharedRateLimiter(tmp_path / ".kite-rate-x").acquire()


# -- a damaged file ---------------------------------------------------------------------------------------------

DAMAGED_JSON = [b"", b'{"id": "a1", "created_at": 1, "ite', b"\x00" * 40, b"[1, 2]", b'"text"', b"{}",
                b'{"id": "a1", "created_at": 1, "items": 5, "status": "queued"}',
                b'{"id": "a1", "created_at": 1, "items": [], "status": "exploded"}']


@pytest.mark.parametrize("content", DAMAGED_JSON)
def test_a_damaged_job_file_is_skipped_with_one_warning(tmp_path, content):
    jobs = JobFiles(tmp_path)
    jobs.save(job("b2", created_at=2))
    (tmp_path / "a1.json").write_bytes(content)
    with capture_logs() as logs:
        assert jobs.load("a1") is None
        assert [j.id for j in jobs.all()] == ["b2"]
        assert [j.id for j in jobs.all()] == ["b2"]  # the dashboard polls: still one warning
    assert [w["path"] for w in warnings(logs, "job_file_damaged_skipped")] == [str(tmp_path / "a1.json")]
    jobs.save(job("a1"))  # a damaged job is replaced whole by the next save
    assert jobs.load("a1") == job("a1")


@pytest.mark.parametrize("content", [b"", b'{"access_token": "abc', b"[1]", b'{"user_id": "AB1234"}',
                                     b'{"access_token": null}', b'{"access_token": 7}', b"\xff\xfe"])
def test_a_damaged_token_file_reads_as_no_token_with_a_warning(tmp_path, content):
    path = tmp_path / "kite_token.json"
    path.write_bytes(content)
    with capture_logs() as logs:
        assert TokenFile(path).load() is None
    assert [w["path"] for w in warnings(logs, "token_file_unreadable")] == [str(path)]


def _listing_bytes(tmp_path) -> bytes:
    path = listing_file.path_of(tmp_path / "instruments", Exchange.NSE)
    InstrumentCache(FakeMarketData(INSTRUMENTS), tmp_path / "instruments", FixedClock(NOW)).instruments(Exchange.NSE)
    return path.read_bytes()


@pytest.mark.parametrize("damage", ["torn", "garbage", "a list", "rows not instruments", "no rows", "bad expiry"])
def test_a_damaged_instrument_list_is_fetched_anew_with_a_warning(tmp_path, damage):
    good = _listing_bytes(tmp_path)
    payload = orjson.loads(good)
    path = listing_file.path_of(tmp_path / "instruments", Exchange.NSE)
    path.write_bytes({
        "torn": good[:len(good) // 2], "garbage": b"\x00\x01garbage", "a list": b"[1, 2, 3]",
        "rows not instruments": orjson.dumps({**payload, "rows": [[1, 2], "x"]}),
        "no rows": orjson.dumps({"version": payload["version"], "fetched_at": payload["fetched_at"]}),
        "bad expiry": orjson.dumps({**payload, "rows": [[*r[:5], "31-12-2024", *r[6:]] for r in payload["rows"]]}),
    }[damage])
    source = FakeMarketData(INSTRUMENTS)
    fallback = PersistedCatalog(tmp_path / "instruments", FixedClock(NOW),
                                lambda: InstrumentCache(source, tmp_path / "instruments", FixedClock(NOW)))
    with capture_logs() as logs:
        assert fallback.lookup(Exchange.NSE, "RELIANCE").instrument_token == 738561
    assert [w["path"] for w in warnings(logs, "instrument_cache_damaged_rebuilding")] == [str(path)]
    assert orjson.loads(path.read_bytes())["rows"] == payload["rows"]  # rebuilt from Kite's list


@pytest.mark.parametrize("content", [b"", b"\x01\x02\x03", struct.pack("<d", float("nan")),
                                     struct.pack("<d", float("inf")), struct.pack("<d", time.time() + 86_400),
                                     b"\xff" * 8])
def test_a_damaged_rate_limit_slot_starts_over_with_a_warning(tmp_path, content):
    path = tmp_path / ".kite-rate-x"
    path.write_bytes(content)
    limiter = SharedRateLimiter(path)
    with capture_logs() as logs:
        assert limiter.acquire() < 0.5 and limiter.acquire() < 0.5
    assert len(warnings(logs, "rate_limit_state_reset")) == (1 if content else 0)
    assert struct.unpack("<d", path.read_bytes())[0] > time.time() - 5  # a sane slot again


@pytest.mark.parametrize("content", [b"", b"\x01", b"x" * 100])
def test_a_damaged_generation_file_only_means_the_file_changed(tmp_path, content):
    path = tmp_path / "EQUITY.h5"
    store = Hdf5SegmentStore(path, Segment.EQUITY)
    store.write(RELIANCE, candles(JAN), [JAN])
    generation_path(path).write_bytes(content)
    assert len(store.read(RELIANCE)) == len(Hdf5SegmentStore(path, Segment.EQUITY).read(RELIANCE)) == 23



def test_an_unreadable_fetch_log_lists_nothing_with_a_warning(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl")
    log.path.mkdir()  # reading it fails with EISDIR, as an unreadable file would fail
    with capture_logs() as logs:
        assert log.recent() == []
    assert [w["path"] for w in warnings(logs, "fetch_log_unreadable")] == [str(log.path)]
