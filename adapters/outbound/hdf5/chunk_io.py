"""Chunk-level reads and writes of the series arrays, compressed by us instead of HDF5's filter pipeline.

Each chunk on disk is what the blosc2 HDF5 filter (id 32026, hdf5plugin's and PyTables' alike) writes: a
one-chunk blosc2 frame holding the whole chunk (the rows past the end of the data are zeros), so PyTables,
pandas and h5py read our files through the filter as before. Doing the (de)compression here is what makes
the store fast: the filter builds and tears down a blosc2 super-chunk and full-chunk buffers per call
(~3x the cost of compressing), it decompresses into a chunk buffer that HDF5 then copies into the caller's
array, and an append pays both for the partly filled last chunk. Here a full chunk decompresses straight
into its place in the output array, and the file's bytes come from one `pread` per chunk when reading.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Callable

import blosc2
import h5py
import numpy as np

FILTER_ID = 32026
_CPARAMS = {"codec": blosc2.Codec.LZ4, "clevel": 5, "filters": [blosc2.Filter.BITSHUFFLE], "filters_meta": [0],
            "typesize": 8, "nthreads": 1}
_DPARAMS = {"nthreads": 1}

RawChunk = Callable[[int, int], bytes | memoryview]  # (file address, size) -> the chunk's stored bytes


def _frame_parts(nbytes: int) -> tuple[bytes, bytes]:
    """The bytes of a one-chunk frame before and after the chunk, from a frame blosc2 builds itself.

    Only the frame's length and compressed-size fields depend on the chunk's bytes (tests compare our frames
    with `SChunk.to_cframe` byte for byte); building one costs ~3x less than blosc2's SChunk round trip.
    """
    parts = _FRAMES.get(nbytes)
    if parts is None:
        frame = blosc2.SChunk(chunksize=nbytes, cparams=_CPARAMS, dparams=_DPARAMS)
        frame.append_data(np.random.default_rng(0).integers(0, 256, nbytes, dtype=np.uint8))  # a plain chunk
        cframe = frame.to_cframe()
        head = _header_size(cframe)
        _, cbytes, _ = blosc2.get_cbuffer_sizes(cframe[head:])
        parts = _FRAMES[nbytes] = (cframe[:head], cframe[head + cbytes:])
    return parts


_FRAMES: dict[int, tuple[bytes, bytes]] = {}
_MAGIC = b"\xa8b2frame\x00\xd2"
_FRAME_SIZE = struct.Struct(">Q")  # at byte 16, after 0xcf
_CBYTES = struct.Struct(">q")  # at byte 39, after 0xd3 (the frame's compressed bytes: our one chunk)


def _header_size(frame: bytes | memoryview) -> int:
    if bytes(frame[1:11]) != _MAGIC:
        raise ValueError("not a blosc2 frame")
    return struct.unpack_from(">i", frame, 11)[0]


def encode(block: np.ndarray) -> bytes:
    """A full chunk (C-contiguous) as the blosc2 filter stores it."""
    chunk = blosc2.compress2(block, **_CPARAMS)
    head, tail = _frame_parts(block.nbytes)
    frame = bytearray(head)
    _FRAME_SIZE.pack_into(frame, 16, len(head) + len(chunk) + len(tail))
    _CBYTES.pack_into(frame, 39, len(chunk))
    frame += chunk
    frame += tail
    return bytes(frame)


def decode_into(raw: bytes | memoryview, filter_mask: int, out: np.ndarray) -> None:
    """Decompress one stored chunk into `out` (C-contiguous, exactly one chunk's bytes)."""
    if filter_mask & 1:  # stored without the filter (HDF5 may do so for a chunk it could not compress)
        out.reshape(-1).view(np.uint8)[:] = np.frombuffer(raw, dtype=np.uint8, count=out.nbytes)
        return
    raw = memoryview(raw)
    head = _header_size(raw)
    nbytes, cbytes, _ = blosc2.get_cbuffer_sizes(raw[head:])
    if nbytes != out.nbytes or _CBYTES.unpack_from(raw, 39)[0] != cbytes:  # not a one-chunk frame like ours
        frame = blosc2.schunk_from_cframe(bytes(raw), copy=True)
        if frame.nchunks != 1 or frame.chunksize != out.nbytes:
            raise ValueError(f"unexpected blosc2 frame: {frame.nchunks} chunks of {frame.chunksize} bytes")
        frame.decompress_chunk(0, out)
        return
    blosc2.decompress2(raw[head:head + cbytes], dst=out, **_DPARAMS)


def _chunk_rows(dataset: h5py.Dataset) -> int:
    return dataset.chunks[0]


def _offsets(dataset: h5py.Dataset, row: int) -> tuple[int, ...]:
    return (row,) + (0,) * (dataset.ndim - 1)


def _scratch(dataset: h5py.Dataset) -> np.ndarray:
    """A chunk-sized buffer kept per thread: a fresh one costs more in page faults than decompressing into it."""
    key = (dataset.chunks, dataset.dtype.str)
    buffers = _SCRATCH.__dict__.setdefault("buffers", {})
    block = buffers.get(key)
    if block is None:
        block = buffers[key] = np.zeros(dataset.chunks, dtype=dataset.dtype)
    return block


_SCRATCH = threading.local()


def check_dataset(dataset: h5py.Dataset) -> bool:
    """True if the dataset's chunks are ours to (de)code: one blosc2 filter, 8-byte items, whole-width chunks."""
    plist = dataset.id.get_create_plist()
    return (plist.get_nfilters() == 1 and plist.get_filter(0)[0] == FILTER_ID and dataset.dtype.itemsize == 8
            and dataset.chunks is not None and dataset.chunks[1:] == dataset.shape[1:])


def append(dataset: h5py.Dataset, values: np.ndarray, tail: np.ndarray | None = None) -> np.ndarray | None:
    """Add rows at the end: the partly filled last chunk is rebuilt, the rest written as new chunks.

    `tail`, if the caller kept it from its previous call on this dataset (and nobody wrote since), is that
    call's return value: a chunk-shaped block holding the partly filled last chunk, zeros after its rows. It
    is updated in place, which spares reading, decompressing and copying the chunk. Returns the block holding
    the new partly filled last chunk (None if the rows end on a chunk boundary).
    """
    rows = dataset.shape[0]
    size = _chunk_rows(dataset)
    fill = rows % size
    usable = tail is not None and tail.shape == dataset.chunks and tail.dtype == dataset.dtype
    if not len(values):
        return tail if fill and usable else None
    dataset.resize(rows + len(values), axis=0)
    done = 0
    block = tail if usable else None
    if fill:
        start = rows - fill
        if block is None:
            block = np.zeros(dataset.chunks, dtype=dataset.dtype)
            mask, raw = dataset.id.read_direct_chunk(_offsets(dataset, start))
            decode_into(raw, mask, block)
            block[fill:] = 0
        done = min(size - fill, len(values))
        block[fill:fill + done] = values[:done]
        dataset.id.write_direct_chunk(_offsets(dataset, start), encode(block))
    while done < len(values):
        take = min(size, len(values) - done)
        if take == size:
            dataset.id.write_direct_chunk(_offsets(dataset, rows + done),
                                          encode(np.ascontiguousarray(values[done:done + take])))
        else:
            if block is None:
                block = np.zeros(dataset.chunks, dtype=dataset.dtype)
            else:
                block.fill(0)
            block[:take] = values[done:done + take]
            dataset.id.write_direct_chunk(_offsets(dataset, rows + done), encode(block))
        done += take
    return block if (rows + len(values)) % size else None


def chunk_table(dataset: h5py.Dataset) -> list[tuple[int, int, int, int]]:
    """(first row, filter mask, file address, stored size) of every allocated chunk."""
    table: list[tuple[int, int, int, int]] = []
    dataset.id.chunk_iter(lambda info: table.append((info.chunk_offset[0], info.filter_mask, info.byte_offset,
                                                     info.size)) and None)
    return table


def read(dataset: h5py.Dataset, start: int, stop: int, raw_chunk: RawChunk | None = None) -> np.ndarray:
    """Rows [start, stop). `raw_chunk` fetches stored bytes by address (a `pread` on the reader's own file
    descriptor); by default they come through HDF5, which sees a writer's uncommitted pages."""
    stop = min(stop, dataset.shape[0])
    out = np.empty((max(0, stop - start),) + dataset.shape[1:], dtype=dataset.dtype)
    if stop <= start:
        return out
    size = _chunk_rows(dataset)
    stored = {first: (mask, address, nbytes) for first, mask, address, nbytes in chunk_table(dataset)}
    for first in range(start - start % size, stop, size):
        last = first + size
        lo, hi = max(first, start), min(last, stop)
        if first not in stored:  # never written: HDF5's fill value
            out[lo - start:hi - start] = 0
            continue
        mask, address, nbytes = stored[first]
        raw = (raw_chunk(address, nbytes) if raw_chunk is not None
               else dataset.id.read_direct_chunk(_offsets(dataset, first))[1])
        if first >= start and last <= stop:
            decode_into(raw, mask, out[first - start:last - start])
            continue
        scratch = _scratch(dataset)
        decode_into(raw, mask, scratch)
        out[lo - start:hi - start] = scratch[lo - first:hi - first]
    return out


def pread_from(fd: int) -> RawChunk:
    def raw_chunk(address: int, size: int) -> bytes:
        data = os.pread(fd, size, address)
        if len(data) != size:
            raise OSError(f"short read of a chunk at {address}: {len(data)} of {size} bytes")
        return data
    return raw_chunk
