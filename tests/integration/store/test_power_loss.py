"""Power cuts at every point of a write, simulated (crash_sim.py): the next process finds the file as it was
before the write or as the write left it, candles and metadata alike, and once the write returned, as it left it.

Each scenario records one write through RecordingIO, then builds crash images after every logged call (the
extremes plus KITEFETCH_CRASH_IMAGES random ones per call: default 8, about 520 distinct images in ~10 s;
`make soak`: 100, about 3,150 in ~50 s), and opens each image as the next process would: our store (which rolls
a hot journal back first) and pandas.read_hdf.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from adapters.outbound.fetch_log import KEEP, TRIM_AT, FetchLogFile, encode
from adapters.outbound.file_io import FileIO
from adapters.outbound.hdf5 import catalog
from adapters.outbound.hdf5.journal import journal_path
from adapters.outbound.hdf5.naming import series_path
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from application.fetch_record import FetchRecord
from domain.adjustments import Adjustment, ChangeKind
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.integration.store.catalog_check import assert_catalog_is_the_walk, catalog_of
from tests.integration.store.crash_sim import RecordingIO, fingerprint

RANDOM_PER_POINT = int(os.environ.get("KITEFETCH_CRASH_IMAGES", "8"))
ALPHA = SeriesKey(Exchange.NSE, "ALPHA", Interval.MINUTE)
BETA = SeriesKey(Exchange.NSE, "BETA", Interval.MINUTE)
FILE = "EQUITY.h5"
EXCHANGES = tuple(e.value for e in Segment.EQUITY.exchanges)


def candles(start: int, n: int, seed: int = 3, shift: float = 0.0) -> CandleFrame:
    rng = np.random.default_rng(seed)
    ts = 1_704_080_700 + (start + np.arange(n, dtype=np.int64)) * 60
    close = np.round(1000 + np.cumsum(rng.normal(0, 1, n)), 2) + shift
    return CandleFrame.from_columns({"ts": ts, "open": close, "high": close + 1, "low": close - 1, "close": close,
                                     "volume": rng.integers(0, 1000, n)})


def span(frame: CandleFrame) -> tuple[int, int]:
    return int(frame.ts[0]), int(frame.ts[-1]) + 59


def state(directory: Path) -> tuple:
    """Everything the next process can see: whether the file has a catalog (equal to its groups) and per series, the
    metadata and every candle (our reader), checked against pandas.read_hdf. Opening it rolls a hot journal back
    first, as any next process would."""
    store = Hdf5SegmentStore(directory / FILE, Segment.EQUITY)
    try:
        store.describe()  # rolls a hot journal back
        assert_catalog_is_the_walk(directory / FILE, Segment.EQUITY, required=False)
        seen: list[object] = [(directory / FILE).exists() and catalog_of(directory / FILE, Segment.EQUITY) is not None]
        for info in sorted(store.describe().series, key=lambda i: i.key.symbol):
            frame = store.read(info.key)
            assert store.info(info.key) == info
            assert info.rows == len(frame) and frame.is_sorted_unique()
            assert (info.first_ts, info.last_ts) == ((int(frame.ts[0]), int(frame.ts[-1])) if len(frame) else
                                                      (None, None))
            ours = {name: values.tobytes() for name, values in frame.columns().items()}
            theirs = pd.read_hdf(directory / FILE, series_path("NSE", info.key.symbol, "minute"))
            assert np.array_equal(pd.DatetimeIndex(theirs.index).as_unit("s").asi8, frame.ts)
            assert np.array_equal(theirs["close"].to_numpy(), frame.close)
            seen.append((info.key.symbol, info.rows, info.first_ts, info.last_ts, info.coverage.spans, info.stale,
                         tuple(sorted(ours.items()))))
        return tuple(seen)
    finally:
        store.close()


def state_of_copy(directory: Path, scratch: Path) -> tuple:
    """`state` without touching `directory` (reading it could roll a journal back)."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(directory, scratch)
    try:
        return state(scratch)
    finally:
        shutil.rmtree(scratch)


@dataclass
class Outcome:
    images: int = 0  # distinct crash images opened
    rolled_back: int = 0  # of which had a journal to roll back
    bad: list[str] = field(default_factory=list)


def simulate(tmp_path: Path, setup: Callable[[Hdf5SegmentStore], object],
             write: Callable[[Hdf5SegmentStore], object], durable: bool = True, seed: int = 0,
             random_per_point: int = RANDOM_PER_POINT, changes: bool = True) -> Outcome:
    """Run `setup` normally, then `write` recorded; check every crash image of `write`."""
    directory = tmp_path / "db"
    directory.mkdir()
    setup(Hdf5SegmentStore(directory / FILE, Segment.EQUITY))
    before = state_of_copy(directory, tmp_path / "copy")
    recorder = RecordingIO(directory)
    write(Hdf5SegmentStore(directory / FILE, Segment.EQUITY, durable=durable, file_io=recorder))
    after = state_of_copy(directory, tmp_path / "copy")
    assert (after != before) == changes, "the write changed nothing: the scenario proves nothing"
    outcome = Outcome()
    calls = len(recorder.ops)
    for point, how, image, returned in crash_images(recorder, seed, random_per_point, tmp_path):
        outcome.images += 1
        outcome.rolled_back += journal_path(image / FILE).exists()
        where = f"after call {point.calls}/{calls} ({recorder.ops[point.calls - 1][0] if point.calls else '-'}), {how}"
        try:
            found = state(image)
        except Exception as error:  # noqa: BLE001 - an image that does not open is the finding
            outcome.bad.append(f"{where}: does not open: {error!r}")
            continue
        allowed = (after,) if returned else (before, after)
        if found not in allowed:
            outcome.bad.append(f"{where}: neither before nor after ({len(found) - 1} series)")
    print(f"{outcome.images} crash images over {calls} calls, {outcome.rolled_back} with a journal rolled back")
    return outcome


def crash_images(recorder, seed: int, per_point: int, tmp_path: Path):
    """Each distinct state a power cut during the recorded calls can leave, written out as `tmp_path/image`, with
    its crash point, how it was chosen, and whether the write had returned by then (then it must be there)."""
    seen, calls = set(), len(recorder.ops)
    for point, how, files in recorder.crash(seed).images(per_point):
        returned = point.calls == calls
        key = (fingerprint(files), returned)
        if key in seen:
            continue
        seen.add(key)
        image = tmp_path / "image"
        shutil.rmtree(image, ignore_errors=True)
        image.mkdir()
        for name, content in files.items():
            (image / name).write_bytes(content)
        yield point, how, image, returned


def setup_alpha(store: Hdf5SegmentStore) -> None:
    first = candles(0, 2000)
    store.write(ALPHA, first, [span(first)])


def writing(key: SeriesKey, frame: CandleFrame, replace: bool = False) -> Callable[[Hdf5SegmentStore], object]:
    return lambda store: store.write(key, frame, [span(frame)], replace=span(frame) if replace else None)


def setup_before_the_catalog(store: Hdf5SegmentStore) -> None:
    """ALPHA and BETA in a file as a kitefetch from before the catalog left it."""
    setup_alpha_and_beta(store)
    store.close()
    with h5py.File(store.path, "r+") as h5:
        del h5[catalog.NAME]


def setup_to_the_edge_of_compaction(store: Hdf5SegmentStore) -> None:
    """ALPHA appended to until one more append compacts the catalog."""
    setup_alpha(store)
    rows = 2000
    while not compacts_next(store.path):
        writing(ALPHA, candles(rows, 1))(store)
        rows += 1


def compacts_next(path: Path) -> bool:
    """Whether one more record of the last one's length will make the catalog rewrite itself."""
    with h5py.File(path, "r") as h5:
        log = catalog.open_log(h5)
        assert log is not None
        record = len(catalog.read(log).rstrip(b"\n").rsplit(b"\n", 1)[-1]) + 1
        chunk = log.dataset.get_create_plist().get_chunk()[0]
        return log.length + record > 2 * log.header.live + chunk


def setup_alpha_and_beta(store: Hdf5SegmentStore) -> None:
    setup_alpha(store)
    writing(BETA, candles(0, 300, seed=6))(store)


def stale_marking(store: Hdf5SegmentStore) -> None:
    store.mark_stale([ALPHA, BETA], span(candles(0, 100))[1], Adjustment("e1", ChangeKind.CORPORATE_ACTION, 1, ()))


SCENARIOS: dict[str, tuple[Callable, Callable]] = {
    "append": (setup_alpha, writing(ALPHA, candles(2000, 500, seed=4))),
    "coverage only": (setup_alpha, lambda store: store.write(ALPHA, CandleFrame.empty(False), [(1, 3599)])),
    "full rewrite": (setup_alpha, writing(ALPHA, candles(500, 1000, seed=5, shift=7.5), replace=True)),
    "new series": (setup_alpha, writing(BETA, candles(0, 1500, seed=6))),
    "new file": (lambda store: None, writing(ALPHA, candles(0, 1000))),
    # Past journal.DIRECT_WRITE_MIN: the extension goes to the file during the write, behind a length-only journal.
    "bulk load": (setup_alpha, writing(ALPHA, candles(2000, 150_000, seed=7))),
    # The catalog (catalog.py): built from the groups at a file's first write since, rewritten by a compaction.
    "catalog built": (setup_before_the_catalog, writing(ALPHA, candles(2000, 500, seed=4))),
    "catalog compacted": (setup_to_the_edge_of_compaction, writing(ALPHA, candles(5000, 500, seed=4))),
    "stale marks": (setup_alpha_and_beta, stale_marking),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_power_cut_anywhere_in_a_write_leaves_it_whole_or_absent(tmp_path, scenario):
    setup, write = SCENARIOS[scenario]
    outcome = simulate(tmp_path, setup, write, seed=len(scenario))
    assert not outcome.bad, f"{len(outcome.bad)} of {outcome.images} images: " + "; ".join(outcome.bad[:5])
    assert outcome.rolled_back, "no image had a journal to roll back: the crash points miss the commit"


class DieMidCommit(FileIO):
    """A writer killed after its journal and the first page written into the file."""

    journal_written = False

    def replace(self, source, target):
        os.replace(source, target)
        self.journal_written = True

    def pwrite(self, fd, data, offset):
        written = os.pwrite(fd, data, offset)
        if self.journal_written:
            raise KeyboardInterrupt("killed")
        return written


def test_a_power_cut_during_recovery_leaves_it_to_do_again(tmp_path):
    """The next process rolls a dead writer's commit back; a power cut while it does must not lose the
    journal before the file is restored (SQLite's hot-journal rollback is checked the same way)."""

    def killed_mid_append(store: Hdf5SegmentStore) -> None:
        setup_alpha(store)
        dying = Hdf5SegmentStore(store.path, Segment.EQUITY, file_io=DieMidCommit())
        with pytest.raises(KeyboardInterrupt):
            writing(ALPHA, candles(2000, 500, seed=4))(dying)
        assert journal_path(store.path).exists()

    outcome = simulate(tmp_path, killed_mid_append, lambda store: store.describe(), seed=11, changes=False)
    assert not outcome.bad, f"{len(outcome.bad)} of {outcome.images} images: " + "; ".join(outcome.bad[:5])
    assert outcome.rolled_back


def test_without_fsync_the_simulator_finds_broken_files(tmp_path):
    """The control: the same journal with durable=False (benchmarks only) does not survive a power cut, and
    the simulator sees it; a simulator that passed this would prove nothing above."""
    setup, write = SCENARIOS["append"]
    outcome = simulate(tmp_path, setup, write, durable=False, random_per_point=10)
    print(f"without fsync: {len(outcome.bad)} of {outcome.images} images broken, e.g. {outcome.bad[:1]}")
    assert outcome.bad, "no crash image broke without fsync"


def test_a_small_file_replaced_durably_is_old_or_new_never_a_mix(tmp_path):
    """atomic_file.write_file, which the job files, token file and instrument cache use, under the same model."""
    from adapters.outbound.atomic_file import write_file

    write_file(tmp_path / "job.json", b"old" * 1000)
    recorder = RecordingIO(tmp_path)
    write_file(tmp_path / "job.json", b"new" * 1000, file_io=recorder)
    images = 0
    for point, how, files in recorder.crash(seed=5).images(RANDOM_PER_POINT):
        images += 1
        allowed = {b"new" * 1000} if point.calls == len(recorder.ops) else {b"old" * 1000, b"new" * 1000}
        assert files.get("job.json") in allowed, (point.calls, how)
    assert images > len(recorder.ops) * 3


def fetched(symbol: str, time: int) -> FetchRecord:
    """An entry of ~400 bytes, so that an append crosses a sector boundary (and may tear)."""
    return FetchRecord(time, "NSE", symbol, "minute", 375, 0, 1, 0.2, warnings=("a day-over-day move " * 12,))


def fetch_log_outcome(tmp_path: Path, lines: int, durable: bool = True) -> tuple[list[str], int, int]:
    """Append one entry to a fetch log of `lines` entries (recorded), then open every crash image: the entries
    before it are all there, and the new one too once record() returned (or may be, before). Returns what was
    wrong, the images opened and how many of the calls were a trim's."""
    directory = tmp_path / "log"
    directory.mkdir()
    log_path = directory / "fetch-log.jsonl"
    if lines:
        log_path.write_bytes(b"".join(encode(fetched(f"S{n}", n)) for n in range(lines)))
    before = FetchLogFile(log_path).recent(KEEP)
    recorder = RecordingIO(directory)
    new = fetched("NEW", 10**9)
    FetchLogFile(log_path, durable=durable, file_io=recorder).record(new)
    after = FetchLogFile(log_path).recent(KEEP)
    assert after == [new, *before][:KEEP]
    bad, images, calls = [], 0, len(recorder.ops)
    for point, how, image, returned in crash_images(recorder, lines, RANDOM_PER_POINT, tmp_path):
        images += 1
        found = FetchLogFile(image / log_path.name).recent(KEEP)
        if found not in ((after,) if returned else (before, after)):
            bad.append(f"after call {point.calls}/{calls}, {how}: {len(found)} entries, newest "
                       f"{found[0].symbol if found else '-'}")
    trim_calls = sum(op[0] == "rename" for op in recorder.ops)
    return bad, images, trim_calls


@pytest.mark.parametrize(("lines", "trims"), [(0, 0), (40, 0), (TRIM_AT // 400, 1)])
def test_a_power_cut_in_a_fetch_log_append_loses_no_earlier_entry(tmp_path, lines, trims):
    """atomic_file.append_line (and a trim, past TRIM_AT, replacing the file through write_file) under the same
    model: a first line, an append, an append that trims."""
    bad, images, trim_calls = fetch_log_outcome(tmp_path, lines)
    assert trim_calls == trims and images > 3
    assert not bad, f"{len(bad)} of {images} images: " + "; ".join(bad[:5])


def test_without_fsync_a_fetch_log_append_can_vanish(tmp_path):
    """The control: without durable, the simulator finds an acknowledged entry lost (so the appends are seen)."""
    bad, _, _ = fetch_log_outcome(tmp_path, 40, durable=False)
    assert bad
