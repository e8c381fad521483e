"""Our own chunk (de)compression must agree with the blosc2 HDF5 filter that pandas, PyTables and h5py read with."""

import blosc2
import h5py
import numpy as np
import pytest
import tables

from adapters.outbound.hdf5 import chunk_io, layout, metadata
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.candles import CandleFrame
from domain.market import Segment
from tests.contracts.candle_store import RELIANCE, candles

RNG = np.random.default_rng(20261124)


@pytest.mark.parametrize("block", [np.arange(4096, dtype="i8") * 60 + 1_420_083_900,
                                   np.round(RNG.normal(1000, 5, (1024, 4)), 2),
                                   RNG.integers(0, 20_000, (4096, 1))])
def test_our_frames_are_byte_for_byte_blosc2s_own(block):
    frame = blosc2.SChunk(chunksize=block.nbytes, cparams=chunk_io._codec()[1])
    frame.append_data(block)
    assert chunk_io.encode(block) == frame.to_cframe()
    out = np.empty_like(block)
    chunk_io.decode_into(chunk_io.encode(block), 0, out)
    assert np.array_equal(out, block)


def test_decode_declines_frames_unlike_ours_and_takes_unfiltered_chunks():
    block = RNG.integers(0, 1000, 2048)
    other = blosc2.SChunk(chunksize=block.nbytes, cparams={"codec": blosc2.Codec.ZSTD, "typesize": 8})
    other.append_data(block)
    other.vlmeta["written_by"] = "someone else"
    out = np.zeros_like(block)
    assert chunk_io.decode_into(other.to_cframe(), 0, out) is False and not out.any()
    assert chunk_io.decode_into(block.tobytes(), 1, out) is True  # filter mask bit set: HDF5 stored it raw
    assert np.array_equal(out, block)


def test_a_foreign_frame_is_read_through_hdf5s_filter(tmp_path):
    """A b2nd frame whose blocks do not span the row (not C order inside the chunk) must not be decoded as ours."""
    path = tmp_path / "s.h5"
    _series(path, chunk_rows=4096)  # block0_values: (1024, 4) chunks
    prices = np.round(RNG.normal(100, 1, (1024, 4)), 2)
    foreign = blosc2.asarray(prices, chunks=prices.shape, blocks=(256, 2)).to_cframe()
    with h5py.File(path, "r+") as h5:
        dataset = h5["/s/block0_values"]
        dataset.resize(1024, axis=0)
        dataset.id.write_direct_chunk((0, 0), foreign)
        assert np.array_equal(dataset[:], prices)  # hdf5plugin's filter decodes b2nd frames
    with h5py.File(path, "r") as h5:
        array = chunk_io.Array.open(h5["/s"], "block0_values")
        assert np.array_equal(chunk_io.read(array, 0, 1024), prices)
        assert np.array_equal(chunk_io.read(array, 10, 700), prices[10:700])
    with h5py.File(path, "r+") as h5:  # an append rebuilds the partly filled chunk from it
        dataset = h5["/s/block0_values"]
        dataset.resize(1000, axis=0)
        more = np.round(RNG.normal(100, 1, (50, 4)), 2)
        chunk_io.append(chunk_io.Array.open(h5["/s"], "block0_values"), more)
        assert np.array_equal(dataset[:], np.concatenate([prices[:1000], more]))


def _series(path, chunk_rows):
    layout.create_file(path)
    with h5py.File(path, "r+") as h5:
        layout.create_series(h5, "/s", False, chunk_rows)


def _columns(n, offset=0):
    ts = np.arange(offset, offset + n, dtype="i8") * 60 + 1_420_083_900
    price = np.round(RNG.normal(500, 3, n), 2)
    return {"ts": ts, "open": price, "high": price + 1, "low": price - 1, "close": price,
            "volume": RNG.integers(0, 9_999, n)}


@pytest.mark.parametrize("keep_tails", [True, False])
def test_appends_across_chunk_boundaries_read_back_through_every_reader(tmp_path, keep_tails):
    path = tmp_path / "s.h5"
    _series(path, chunk_rows=64)
    sizes = [1, 5, 58, 64, 200, 3, 0, 130, 7]  # ends inside, on and past chunk boundaries
    pieces, done, tails = [], 0, None
    for size in sizes:
        piece = _columns(size, done)
        with h5py.File(path, "r+") as h5:
            tails = layout.append_columns(h5["/s"], piece, False, tails if keep_tails else None)
        pieces.append(piece)
        done += size
    expected = {c: np.concatenate([p[c] for p in pieces]) for c in pieces[0]}
    with h5py.File(path, "r") as h5:
        ours = layout.read_columns(h5["/s"], False)
        through_filter = h5["/s/block0_values"][:]  # HDF5's own pipeline: the blosc2 filter decodes our frames
        assert np.array_equal(h5["/s/axis1"][:], expected["ts"])
        for start, stop in [(0, 1), (3, 70), (64, 128), (100, done), (done - 1, done), (5, 5)]:
            part = layout.read_columns(h5["/s"], False, start, stop)
            assert np.array_equal(part["ts"], expected["ts"][start:stop])
            assert np.array_equal(part["close"], expected["close"][start:stop])
    for column in expected:
        assert np.array_equal(ours[column], expected[column]), column
    assert np.array_equal(through_filter[:, 1], expected["high"])
    with tables.open_file(path) as h5:
        assert np.array_equal(h5.get_node("/s/block1_values").read()[:, 0], expected["volume"])


def test_reads_through_pread_match_reads_through_hdf5(tmp_path):
    path = tmp_path / "s.h5"
    _series(path, chunk_rows=128)
    with h5py.File(path, "r+") as h5:
        layout.append_columns(h5["/s"], _columns(1000), False)
    import os

    fd = os.open(path, os.O_RDONLY)
    try:
        with h5py.File(path, "r") as h5:
            direct = layout.read_columns(h5["/s"], False, 10, 900, chunk_io.pread_from(fd))
            through = layout.read_columns(h5["/s"], False, 10, 900)
    finally:
        os.close(fd)
    assert all(np.array_equal(direct[c], through[c]) for c in direct)


def _pieces(n, size):
    whole = candles((1_420_070_400, 1_420_070_400 + 2 * n * size * 86_400))  # weekends: twice the days
    return [whole.take(slice(i * size, (i + 1) * size)) for i in range(n)]


def test_a_tail_kept_by_one_store_is_never_used_after_another_wrote(tmp_path):
    """Two processes (here two store objects) append in turn; each keeps its own tails between writes."""
    pieces = _pieces(6, 7)
    a = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    b = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    for i, piece in enumerate(pieces):
        (a if i % 2 == 0 else b).write(RELIANCE, piece, [])
    b.write(RELIANCE, pieces[2], [], replace=(int(pieces[2].ts[0]), int(pieces[2].ts[-1])))  # a rewrite
    a.write(RELIANCE, _pieces(7, 7)[6], [])
    expected = CandleFrame.concat([*pieces, _pieces(7, 7)[6]], False)
    fresh = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    stored = fresh.read(RELIANCE)
    assert np.array_equal(stored.ts, expected.ts) and np.array_equal(stored.close, expected.close)


def test_a_failed_write_forgets_its_tails(tmp_path, monkeypatch):
    pieces = _pieces(3, 5)
    store = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    store.write(RELIANCE, pieces[0], [])
    real = metadata.encode

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(metadata, "encode", fail)
    with pytest.raises(OSError):
        store.write(RELIANCE, pieces[1], [])  # its chunks were written in the journal, then rolled back
    monkeypatch.setattr(metadata, "encode", real)
    store.write(RELIANCE, pieces[2], [])
    stored = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY).read(RELIANCE)
    expected = CandleFrame.concat([pieces[0], pieces[2]], False)
    assert np.array_equal(stored.ts, expected.ts) and np.array_equal(stored.volume, expected.volume)


def test_chunks_written_by_the_hdf5_filter_are_read_and_appended_to(tmp_path):
    """Files from before chunk_io (HDF5's pipeline wrote every chunk) keep working."""
    path = tmp_path / "s.h5"
    _series(path, chunk_rows=64)
    old = _columns(150)
    with h5py.File(path, "r+") as h5:
        for name, values in layout.blocks(old, False).items():
            dataset = h5["/s"][name]
            dataset.resize(len(values), axis=0)
            dataset[:] = values  # through the blosc2 filter, as kitefetch wrote before
    new = _columns(100, 150)
    with h5py.File(path, "r+") as h5:
        layout.append_columns(h5["/s"], new, False)
    with h5py.File(path, "r") as h5:
        stored = layout.read_columns(h5["/s"], False)
    for column in old:
        assert np.array_equal(stored[column], np.concatenate([old[column], new[column]])), column


def test_search_matches_numpy_searchsorted_at_every_kind_of_position(tmp_path):
    path = tmp_path / "s.h5"
    _series(path, chunk_rows=16)
    stamps = np.cumsum(RNG.integers(1, 4, 203)) * 60  # gaps and chunk boundaries in between
    stamps[40:44] = stamps[40]  # equal values across nothing special: searchsorted's sides must still agree
    stamps[44:] += 60
    columns = _columns(len(stamps))
    columns["ts"] = stamps
    with h5py.File(path, "r+") as h5:
        layout.append_columns(h5["/s"], columns, False)
    probes = [int(stamps[0]) - 1, *map(int, stamps), *(int(x) + 30 for x in stamps), int(stamps[-1]) + 1]
    with h5py.File(path, "r") as h5:
        for value in probes:
            for side in ("left", "right"):
                assert layout.search_index(h5["/s"], value, side) == np.searchsorted(stamps, value, side=side), (
                    value, side)
