"""KITEFETCH_DURABLE: one setting makes every file kitefetch keeps survive a power cut; on unless a benchmark
turns it off. What a power cut leaves of a segment file is test_power_loss.py's; this checks the setting reaches
every adapter that writes, and the fetch log's append after a torn line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from adapters.outbound.atomic_file import append_line
from adapters.outbound.fetch_log import FetchLogFile
from adapters.outbound.file_io import FileIO
from application.fetch_record import FetchRecord
from application.job import Job, JobItem
from application.ports import BrokerSession
from bootstrap.container import build_container
from bootstrap.queries import segment_store
from bootstrap.settings import ConfigurationError, Settings
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.market import FakeMarketData, equity

KEY = SeriesKey(Exchange.NSE, "INFY", Interval.DAY)


def candles() -> CandleFrame:
    ts = 1_704_080_700 + np.arange(3, dtype=np.int64) * 86_400
    price = np.array([1.0, 2.0, 3.0])
    return CandleFrame.from_columns({"ts": ts, "open": price, "high": price, "low": price, "close": price,
                                     "volume": np.arange(3, dtype=np.int64)})


@pytest.fixture
def synced(monkeypatch) -> list[str]:
    """Names of the files and directories fsynced (a file by the name it has when synced)."""
    names: list[str] = []
    monkeypatch.setattr(FileIO, "fsync", staticmethod(lambda fd: names.append(os.readlink(f"/proc/self/fd/{fd}"))))
    monkeypatch.setattr(FileIO, "fsync_directory", lambda self, directory: names.append(f"{directory}/"))
    return names


@pytest.mark.parametrize("durable", [True, False])
def test_one_setting_reaches_every_file_kitefetch_keeps(tmp_path, synced, durable):
    settings = Settings(data_dir=tmp_path, durable=durable)
    container = build_container(settings)
    container.market_data.override(FakeMarketData([equity("INFY", 408065)]))
    writes = {
        "kite_token.json": lambda: container.token_store().save(BrokerSession("token", "AB1234", "A B", "")),
        "job1.json": lambda: container.jobs().save(Job("job1", 1, [JobItem({}, "INFY")])),
        "fetch-log.jsonl": lambda: container.fetch_log().record(FetchRecord(1, "NSE", "INFY", "day")),
        "NSE.json": lambda: container.catalog().instruments(Exchange.NSE),
        "EQUITY.h5": lambda: container.equity_store().write(KEY, candles(), []),
        "DERIVATIVES.h5": lambda: segment_store(settings, Segment.DERIVATIVES).write(
            SeriesKey(Exchange.NFO, "X", Interval.DAY), CandleFrame.empty(True), [(1, 2)]),  # the CLI's stores
    }
    for name, write in writes.items():
        synced.clear()
        write()
        if durable:
            assert any(name in Path(s).name for s in synced if not s.endswith("/")), (name, synced)
            assert synced[-1].startswith(str(tmp_path)) and synced[-1].endswith("/"), (name, synced)  # dir last
        else:
            assert synced == [], (name, synced)
    container.market_data.reset_override()


def test_the_setting_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("KITEFETCH_DURABLE", raising=False)
    assert Settings.from_env(env_file=None).durable is True
    for off in ("0", "false", "off", "No"):
        monkeypatch.setenv("KITEFETCH_DURABLE", off)
        assert Settings.from_env(env_file=None).durable is False
    monkeypatch.setenv("KITEFETCH_DURABLE", "maybe")
    with pytest.raises(ConfigurationError, match="KITEFETCH_DURABLE"):
        Settings.from_env(env_file=None)


def test_a_line_appended_after_a_torn_one_is_not_glued_to_it(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl")
    log.record(FetchRecord(1, "NSE", "A", "day"))
    with open(log.path, "ab") as handle:
        handle.write(b'{"time":2,"exchange":"NSE","sym')  # the power went while this line was written
    log.record(FetchRecord(3, "NSE", "C", "day"))
    assert [r.symbol for r in log.recent()] == ["C", "A"]


def test_append_line_syncs_the_directory_only_when_it_creates_the_file(tmp_path, synced):
    append_line(tmp_path / "log", b"one\n")
    assert synced == [str(tmp_path / "log"), f"{tmp_path}/"]
    synced.clear()
    append_line(tmp_path / "log", b"two\n")
    assert synced == [str(tmp_path / "log")] and (tmp_path / "log").read_bytes() == b"one\ntwo\n"


def test_a_new_data_directory_is_synced_into_its_parent(tmp_path, synced):
    """Else a power cut could take the directory, and the committed file in it, away with it."""
    from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore

    Hdf5SegmentStore(tmp_path / "data" / "hdf5" / "EQUITY.h5", Segment.EQUITY).write(KEY, candles(), [])
    assert f"{tmp_path}/" in synced and f"{tmp_path / 'data'}/" in synced


@pytest.mark.parametrize("durable", [True, False])
def test_logout_syncs_the_deletion_of_the_token(tmp_path, synced, durable):
    """Else a power cut after logout could bring the invalidated token's file back."""
    from adapters.outbound.token_file import TokenFile

    tokens = TokenFile(tmp_path / "kite_token.json", durable=durable)
    tokens.save(BrokerSession("token", "AB1234", "A B", ""))
    synced.clear()
    tokens.clear()
    assert not tokens.path.exists()
    assert synced == ([f"{tmp_path}/"] if durable else [])
    tokens.clear()  # no token: nothing deleted, nothing synced
    assert synced == ([f"{tmp_path}/"] if durable else [])


@pytest.mark.parametrize("directory", ["jobs", "instruments"])
def test_the_jobs_and_instruments_directories_are_synced_into_the_data_dir_when_created(tmp_path, synced,
                                                                                        directory):
    """Before the first file committed in them: else a power cut could take the directory and that file away."""
    container = build_container(Settings(data_dir=tmp_path))
    container.market_data.override(FakeMarketData([equity("INFY", 408065)]))
    if directory == "jobs":
        container.jobs().save(Job("job1", 1, [JobItem({}, "INFY")]))
    else:
        container.catalog().instruments(Exchange.NSE)
    container.market_data.reset_override()
    [created] = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert created.name == directory
    first_file = next(i for i, s in enumerate(synced) if not s.endswith("/"))
    assert f"{tmp_path}/" in synced[:first_file], synced


def test_a_new_data_directory_is_synced_into_its_parent_before_the_token_or_fetch_log_in_it(tmp_path, synced):
    container = build_container(Settings(data_dir=tmp_path / "data"))
    for write in (lambda: container.token_store().save(BrokerSession("token", "AB1234", "A B", "")),
                  lambda: container.fetch_log().record(FetchRecord(1, "NSE", "INFY", "day"))):
        synced.clear()
        write()
        assert synced[0] == f"{tmp_path}/", synced
        shutil.rmtree(tmp_path / "data")
