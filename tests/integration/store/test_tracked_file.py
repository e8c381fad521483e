"""The tracked file: every kind of entry round-trips, changes are one step across processes, a refused write keeps
the old list, and a damaged file is read as empty with a warning and kept aside at the next change."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from adapters.outbound.tracked_file import TrackedFile
from application.tracked import RuleKind, TrackedList, TrackedRule, TrackedSeries
from bootstrap.app import create_app
from bootstrap.settings import Settings
from domain.errors import Conflict, StorageFull, StoreBusy
from domain.interval import Interval
from domain.market import Exchange
from domain.option_chain import InstrumentRef
from tests.fakes.tracked import MemoryTracked
from tests.integration.store.test_small_files import refused_at_every_write

TCS = TrackedSeries("t1", Exchange.NSE, "TCS", (Interval.DAY, Interval.MINUTE), date(2015, 1, 1), 1_700_000_000)
CHAIN = TrackedRule("r1", RuleKind.OPTIONS, Exchange.NFO, "NIFTY", (Interval.MINUTE,), 2, 10,
                    InstrumentRef(Exchange.NSE, "NIFTY 50"), date(2024, 1, 1), 1_700_000_001)
FUTURES = TrackedRule("r2", RuleKind.FUTURES, Exchange.BFO, "SENSEX", (Interval.DAY,), created_at=1_700_000_002)
M_AND_M = TrackedSeries("t2", Exchange.NSE, "M&M", (Interval.MINUTE_15,), date(2020, 2, 29))


@pytest.fixture(params=["fake", "file"])
def repository(request, tmp_path):
    return MemoryTracked() if request.param == "fake" else TrackedFile(tmp_path / "tracked.json")


def test_the_fake_and_the_file_keep_entries_alike(repository):
    """The contract the use-case tests rely on: what is added loads equal, in order; a change that raises saves
    nothing."""
    assert repository.load() == TrackedList()
    for entry in (TCS, CHAIN, FUTURES, M_AND_M):
        repository.update(lambda tracked, entry=entry: tracked.add(entry))
    assert repository.load().entries == (TCS, CHAIN, FUTURES, M_AND_M)
    with pytest.raises(Conflict):
        repository.update(lambda tracked: tracked.add(TrackedSeries("t9", Exchange.NSE, "TCS", (Interval.DAY,),
                                                                    date(2016, 1, 1))))
    assert repository.update(lambda tracked: tracked.without("r1")).entries == (TCS, FUTURES, M_AND_M)
    assert repository.load().entries == (TCS, FUTURES, M_AND_M)


def test_the_file_is_plain_json_written_whole(tmp_path):
    tracked = TrackedFile(tmp_path / "data" / "tracked.json")  # the data dir is created on the first change
    tracked.update(lambda t: t.add(TCS).add(CHAIN))
    data = json.loads((tmp_path / "data" / "tracked.json").read_text())
    assert data["version"] == 1 and [e["id"] for e in data["tracked"]] == ["t1", "r1"]
    assert data["tracked"][1] == {"id": "r1", "exchange": "NFO", "kind": "options", "underlying": "NIFTY",
                                  "expiries": 2, "strikes": 10, "underlying_symbol": "NSE:NIFTY 50",
                                  "intervals": ["minute"], "from_date": "2024-01-01", "created_at": 1_700_000_001}
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [".tracked.lock", "tracked.json"]


def _add_many(path: str, prefix: str, count: int) -> None:
    tracked = TrackedFile(Path(path), durable=False)
    for n in range(count):
        entry = TrackedSeries(f"{prefix}{n}", Exchange.NSE, f"{prefix}{n}", (Interval.DAY,), date(2020, 1, 1))
        tracked.update(entry_adder(entry))


def entry_adder(entry: TrackedSeries):
    return lambda tracked: tracked.add(entry)


def _add_same(path: str, results) -> None:
    try:
        TrackedFile(Path(path), durable=False).update(lambda t: t.add(TCS))
        results.put("added")
    except Conflict:
        results.put("conflict")


def test_changes_from_several_processes_are_never_lost_and_a_series_is_added_once(tmp_path):
    path = str(tmp_path / "tracked.json")
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_add_many, args=(path, p, 15)) for p in ("A", "B", "C")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    assert len(TrackedFile(path).load().entries) == 45
    results = context.Queue()
    racers = [context.Process(target=_add_same, args=(path, results)) for _ in range(4)]
    for r in racers:
        r.start()
    for r in racers:
        r.join(60)
    assert sorted(results.get(timeout=5) for _ in racers) == ["added", "conflict", "conflict", "conflict"]


def test_a_change_on_a_full_disk_keeps_the_old_list(tmp_path, mocker):
    tracked = TrackedFile(tmp_path / "tracked.json")
    tracked.update(lambda t: t.add(TCS))
    both = TrackedList((TCS, FUTURES))
    for _, error in refused_at_every_write(mocker, tmp_path, lambda: tracked.update(lambda t: both)):
        assert error.message.startswith(f"disk full: {tmp_path} has ")
        assert TrackedFile(tracked.path).load().entries in ((TCS,), (TCS, FUTURES))  # whole, old or new
        assert sorted(p.name for p in tmp_path.iterdir()) == [".tracked.lock", "tracked.json"]  # no scratch left
    assert isinstance(error, StorageFull)


@pytest.mark.parametrize("damage", [b'{"version": 1, "tracked": [{"id": "t1", "exch', b"", b"[1, 2]",
                                    b'{"version": 1, "tracked": {}}', b'{"version": 99, "tracked": []}'])
def test_a_damaged_file_reads_as_empty_and_is_kept_aside_at_the_next_change(tmp_path, damage):
    path = tmp_path / "tracked.json"
    path.write_bytes(damage)
    tracked = TrackedFile(path)
    with capture_logs() as logs:
        assert tracked.load() == TrackedList()
        assert tracked.load() == TrackedList()
    assert [(e["event"], e["path"]) for e in logs] == [("tracked_file_damaged", str(path))]  # once per damage
    tracked.update(lambda t: t.add(TCS))
    assert tracked.load().entries == (TCS,)
    assert (tmp_path / "tracked.json.damaged").read_bytes() == damage


def test_a_damaged_entry_is_skipped_and_the_others_stay(tmp_path):
    path = tmp_path / "tracked.json"
    TrackedFile(path).update(lambda t: t.add(TCS).add(CHAIN).add(FUTURES))
    data = json.loads(path.read_text())
    data["tracked"][1]["strikes"] = 99  # a stray edit out of bounds
    data["tracked"][2]["intervals"] = ["7minute"]
    path.write_text(json.dumps(data))
    with capture_logs() as logs:
        assert TrackedFile(path).load().entries == (TCS,)
    assert [(e["event"], e["skipped"]) for e in logs] == [("tracked_entries_damaged_skipped", 2)]


@contextmanager
def held_elsewhere(lock_file: Path):
    """The lock file flocked through a descriptor of its own: to flock, another process holding it."""
    holder = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(holder)


@pytest.mark.timeout(30)
def test_a_lock_held_elsewhere_is_a_busy_error_after_the_timeout_not_a_hang(tmp_path):
    tracked = TrackedFile(tmp_path / "tracked.json", lock_timeout=0.3)
    tracked.update(lambda t: t.add(TCS))
    with held_elsewhere(tmp_path / ".tracked.lock"):
        started = time.monotonic()
        with pytest.raises(StoreBusy) as busy:
            tracked.update(lambda t: t.add(FUTURES))
        assert 0.3 <= time.monotonic() - started < 10
        assert tracked.load().entries == (TCS,)  # reading takes no lock
    assert busy.value.message == "The tracked list (tracked.json) is locked by another process; try again shortly"
    assert tracked.update(lambda t: t.add(FUTURES)).entries == (TCS, FUTURES)


@pytest.mark.timeout(30)
def test_the_api_answers_503_busy_while_another_process_holds_the_tracked_list(tmp_path):
    TrackedFile(tmp_path / "tracked.json").update(lambda t: t.add(TCS))
    app = create_app(Settings(data_dir=tmp_path, store_lock_timeout=0.3))
    try:
        with held_elsewhere(tmp_path / ".tracked.lock"):
            answer = app.test_client().delete("/api/data/tracked/t1", json={})
        assert answer.status_code == 503
        assert answer.get_json() == {"success": False, "error_type": "busy", "error": "The tracked list "
                                     "(tracked.json) is locked by another process; try again shortly"}
        assert app.test_client().delete("/api/data/tracked/t1", json={}).status_code == 200
    finally:
        app.container.unwire()
