"""Chunk-level reads and writes of the series arrays, compressed by us instead of HDF5's filter pipeline.

Each chunk on disk is what the blosc2 HDF5 filter (id 32026, hdf5plugin's and PyTables' alike) writes: a
one-chunk blosc2 frame holding the whole chunk (the rows past the end of the data are zeros), so PyTables,
pandas and h5py read our files through the filter as before. Doing the (de)compression here is what makes
the store fast: the filter builds and tears down a blosc2 super-chunk and full-chunk buffers per call
(~3x the cost of compressing), it decompresses into a chunk buffer that HDF5 then copies into the caller's
array, and an append pays both for the partly filled last chunk. Here a full chunk decompresses straight
into its place in the output array, and the file's bytes come from one `pread` per chunk when reading.

blosc2 and hdf5plugin load with the first chunk this module touches (`_codec`): together they take ~0.2 s to
import, and reading metadata (`kitefetch range`, `db-info`: one attribute per series) never needs them.
"""

from __future__ import annotations

import functools
import os
import struct
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import h5py
import numpy as np

FILTER_ID = 32026
_DPARAMS = {"nthreads": 1}

RawChunk = Callable[[int, int], bytes | memoryview]  # (file address, size) -> the chunk's stored bytes


@functools.cache
def _codec() -> tuple[Any, dict[str, Any]]:
    """blosc2 and our compression parameters. hdf5plugin comes with it: importing it registers the blosc2 filter
    with HDF5, which decodes the chunks we leave to it (`_through_filter`, layout's fallbacks)."""
    import blosc2
    import hdf5plugin  # noqa: F401

    return blosc2, {"codec": blosc2.Codec.LZ4, "clevel": 5, "filters": [blosc2.Filter.BITSHUFFLE],
                    "filters_meta": [0], "typesize": 8, "nthreads": 1}


def _frame_parts(nbytes: int) -> tuple[bytes, bytes]:
    """The bytes of a one-chunk frame before and after the chunk, from a frame blosc2 builds itself.

    Only the frame's length and compressed-size fields depend on the chunk's bytes (tests compare our frames
    with `SChunk.to_cframe` byte for byte); building one costs ~3x less than blosc2's SChunk round trip.
    """
    parts = _FRAMES.get(nbytes)
    if parts is None:
        blosc2, cparams = _codec()
        frame = blosc2.SChunk(chunksize=nbytes, cparams=cparams, dparams=_DPARAMS)
        frame.append_data(np.random.default_rng(0).integers(0, 256, nbytes, dtype=np.uint8))  # a plain chunk
        cframe = frame.to_cframe()
        head = _header_size(cframe)
        _, cbytes, _ = blosc2.get_cbuffer_sizes(cframe[head:])
        parts = _FRAMES[nbytes] = (cframe[:head], cframe[head + cbytes:])
    return parts


_FRAMES: dict[int, tuple[bytes, bytes]] = {}
_FRAME_SIZE = struct.Struct(">Q")  # at byte 16, after 0xcf
_CBYTES = struct.Struct(">q")  # at byte 39, after 0xd3 (the frame's compressed bytes: our one chunk)


def _header_size(frame: bytes | memoryview) -> int:
    return struct.unpack_from(">i", frame, 11)[0]


def encode(block: np.ndarray) -> bytes:
    """A full chunk (C-contiguous) as the blosc2 filter stores it."""
    blosc2, cparams = _codec()
    chunk = blosc2.compress2(block, **cparams)
    head, tail = _frame_parts(block.nbytes)
    frame = bytearray(head)
    _FRAME_SIZE.pack_into(frame, 16, len(head) + len(chunk) + len(tail))
    _CBYTES.pack_into(frame, 39, len(chunk))
    frame += chunk
    frame += tail
    return bytes(frame)


def decode_into(raw: bytes | memoryview, filter_mask: int, out: np.ndarray) -> bool:
    """Decompress one stored chunk into `out` (C-contiguous, exactly one chunk's bytes).

    False, with `out` untouched, for a frame not laid out like ours (other writers may add metalayers, e.g.
    hdf5plugin's b2nd for 2-D chunks, whose block order is not C order): the caller reads those rows
    through HDF5's own filter instead.
    """
    if filter_mask & 1:  # stored without the filter (HDF5 may do so for a chunk it could not compress)
        if len(raw) < out.nbytes:
            raise ValueError(f"unfiltered chunk of {len(raw)} bytes, {out.nbytes} expected")
        out.reshape(-1).view(np.uint8)[:] = np.frombuffer(raw, dtype=np.uint8, count=out.nbytes)
        return True
    raw = memoryview(raw)
    head, _ = _frame_parts(out.nbytes)
    size = len(head)
    if len(raw) < size + 32 or raw[:16] != head[:16] or raw[24:39] != head[24:39] or raw[47:size] != head[47:]:
        return False
    blosc2, _ = _codec()
    nbytes, cbytes, _ = blosc2.get_cbuffer_sizes(raw[size:])
    if nbytes != out.nbytes or _CBYTES.unpack_from(raw, 39)[0] != cbytes or size + cbytes > len(raw):
        return False
    blosc2.decompress2(raw[size:size + cbytes], dst=out, **_DPARAMS)
    return True


def _through_filter(array: Array, start: int, stop: int) -> np.ndarray:
    """Rows read by HDF5 itself (through the blosc2 filter hdf5plugin registers)."""
    return h5py.Dataset(array.id)[start:stop]


class Array(NamedTuple):
    """One series array through h5py's low-level API: the high-level Dataset costs ~50 us to open, more
    than compressing a chunk of an append."""

    id: h5py.h5d.DatasetID
    rows: int
    chunks: tuple[int, ...]
    dtype: np.dtype

    @classmethod
    def open(cls, group: h5py.Group, name: str) -> Array | None:
        """The array if its chunks are ours to (de)code (one blosc2 filter, 8-byte items, whole-width
        chunks), else None: HDF5's own pipeline handles anything else."""
        dsid = h5py.h5d.open(group.id, name.encode())
        plist = dsid.get_create_plist()
        if plist.get_layout() != h5py.h5d.CHUNKED or plist.get_nfilters() != 1 or (
                plist.get_filter(0)[0] != FILTER_ID):
            return None
        shape, chunks, dtype = dsid.shape, plist.get_chunk(), dsid.dtype
        if dtype.itemsize != 8 or chunks[1:] != shape[1:]:
            return None
        return cls(dsid, shape[0], chunks, dtype)

    def offsets(self, row: int) -> tuple[int, ...]:
        return (row,) + (0,) * (len(self.chunks) - 1)

    def blank(self) -> np.ndarray:
        return np.zeros(self.chunks, dtype=self.dtype)


def _scratch(array: Array) -> np.ndarray:
    """A chunk-sized buffer kept per thread: a fresh one costs more in page faults than decompressing into it."""
    key = (array.chunks, array.dtype.str)
    buffers = _SCRATCH.__dict__.setdefault("buffers", {})
    block = buffers.get(key)
    if block is None:
        block = buffers[key] = array.blank()
    return block


_SCRATCH = threading.local()


def append(array: Array, values: np.ndarray, tail: np.ndarray | None = None) -> np.ndarray | None:
    """Add rows at the end: the partly filled last chunk is rebuilt, the rest written as new chunks.

    `tail`, if the caller kept it from its previous call on this array (and nobody wrote since), is that
    call's return value: a chunk-shaped block holding the partly filled last chunk, zeros after its rows. It
    is updated in place, which spares reading, decompressing and copying the chunk. Returns the block holding
    the new partly filled last chunk (None if the rows end on a chunk boundary).
    """
    rows, size = array.rows, array.chunks[0]
    fill = rows % size
    usable = tail is not None and tail.shape == array.chunks and tail.dtype == array.dtype
    if not len(values):
        return tail if fill and usable else None
    array.id.set_extent((rows + len(values),) + array.chunks[1:])
    done = 0
    block = tail if usable else None
    if fill:
        start = rows - fill
        if block is None:
            block = array.blank()
            mask, raw = array.id.read_direct_chunk(array.offsets(start))
            if not decode_into(raw, mask, block):
                block[:fill] = _through_filter(array, start, rows)
            block[fill:] = 0
        done = min(size - fill, len(values))
        block[fill:fill + done] = values[:done]
        array.id.write_direct_chunk(array.offsets(start), encode(block))
    while done < len(values):
        take = min(size, len(values) - done)
        if take == size:
            array.id.write_direct_chunk(array.offsets(rows + done),
                                        encode(np.ascontiguousarray(values[done:done + take], dtype=array.dtype)))
        else:
            if block is None:
                block = array.blank()
            else:
                block.fill(0)
            block[:take] = values[done:done + take]
            array.id.write_direct_chunk(array.offsets(rows + done), encode(block))
        done += take
    return block if (rows + len(values)) % size else None


def chunk_table(array: Array) -> dict[int, tuple[int, int, int]]:
    """First row -> (filter mask, file address, stored size) of every allocated chunk."""
    table: dict[int, tuple[int, int, int]] = {}

    def visit(info) -> None:
        table[info.chunk_offset[0]] = (info.filter_mask, info.byte_offset, info.size)

    array.id.chunk_iter(visit)
    return table


def read(array: Array, start: int = 0, stop: int | None = None, raw_chunk: RawChunk | None = None) -> np.ndarray:
    """Rows [start, stop). `raw_chunk` fetches stored bytes by address (a `pread` on the reader's own file
    descriptor); by default they come through HDF5, which sees a writer's uncommitted pages."""
    stop = array.rows if stop is None else min(stop, array.rows)
    out = np.empty((max(0, stop - start),) + array.chunks[1:], dtype=array.dtype)
    if stop <= start:
        return out
    size = array.chunks[0]
    stored = chunk_table(array)
    for first in range(start - start % size, stop, size):
        last = first + size
        lo, hi = max(first, start), min(last, stop)
        if first not in stored:  # never written: HDF5's fill value
            out[lo - start:hi - start] = 0
            continue
        mask, address, nbytes = stored[first]
        raw = (raw_chunk(address, nbytes) if raw_chunk is not None
               else array.id.read_direct_chunk(array.offsets(first))[1])
        if first >= start and last <= stop:
            if not decode_into(raw, mask, out[first - start:last - start]):
                out[first - start:last - start] = _through_filter(array, first, last)
            continue
        scratch = _scratch(array)
        if decode_into(raw, mask, scratch):
            out[lo - start:hi - start] = scratch[lo - first:hi - first]
        else:
            out[lo - start:hi - start] = _through_filter(array, lo, hi)
    return out


def searchsorted(array: Array, value: int, side: str, raw_chunk: RawChunk | None = None) -> int:
    """`numpy.searchsorted` on a sorted 1-D array, decompressing ~log2(chunks) chunks instead of all of them
    (a 10M-row minute series: ~9 of 306)."""
    rows, size = array.rows, array.chunks[0]
    stored = chunk_table(array)
    count = -(-rows // size)
    if len(stored) != count:  # unallocated chunks read as zeros, which are not sorted: read it all
        return int(np.searchsorted(read(array, 0, rows, raw_chunk), value, side=side))  # type: ignore[call-overload]
    blocks: dict[int, np.ndarray] = {}

    def block(k: int) -> np.ndarray:
        if k not in blocks:
            mask, address, nbytes = stored[k * size]
            raw = (raw_chunk(address, nbytes) if raw_chunk is not None
                   else array.id.read_direct_chunk(array.offsets(k * size))[1])
            out = array.blank()
            last = min(size, rows - k * size)
            if not decode_into(raw, mask, out):
                out[:last] = _through_filter(array, k * size, k * size + last)
            blocks[k] = out[:last]
        return blocks[k]

    lo, hi = 0, count  # chunks [0, lo) start at or before `value` (side="right") or before it (side="left")
    while lo < hi:
        mid = (lo + hi) // 2
        first = block(mid)[0]
        if first <= value if side == "right" else first < value:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return 0
    return (lo - 1) * size + int(np.searchsorted(block(lo - 1), value, side=side))  # type: ignore[call-overload]


def pread_from(fd: int) -> RawChunk:
    def raw_chunk(address: int, size: int) -> bytes:
        data = os.pread(fd, size, address)
        if len(data) != size:
            raise OSError(f"short read of a chunk at {address}: {len(data)} of {size} bytes")
        return data
    return raw_chunk
