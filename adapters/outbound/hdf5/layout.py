"""The on-disk shape of one series: column blocks as extendable arrays that pandas reads as a "fixed" frame.

A series group `/EXCHANGE/SYMBOL/INTERVAL` holds `axis1` (timestamps, epoch seconds), `block0_values`
(open, high, low, close as an (n, 4) float64 array) and `block1_values` (volume[, oi] as int64), plus the
attributes pandas' fixed-format reader expects (and PyTables' own `CLASS`/`EXTDIM`), so
`pandas.read_hdf(file, key)` returns a DataFrame with a tz-aware IST index without pandas having written it.

Why this and not pandas' "table" format: pandas' append path is ~30x slower than appending to a few arrays,
and reading records costs more than decompressing blocks. Why h5py writes it and not PyTables: PyTables
builds a Python object and reads every attribute of each node it touches (~1.5 ms per append), and it
cannot create a file that keeps its free-space map across sessions. Each append rewrites the last, partly
filled chunk of each array; with the map kept, the space that frees is reused instead of leaked (without
it, a series growing a few rows a day made its file 5-100x larger than its data).

Groups stay in HDF5's old symbol-table format (writes open the file with h5py's default libver). The newer
one (libver "latest" on the write handle, or groups tracking creation order) indexes an exchange's symbols
in a B-tree: a cold lookup at 50,000 series takes 0.8 ms instead of 1.9, and a new series stops rewriting
a 1.4 MB heap of names. But each new series then leaves about one 1-30 byte fragment in the kept free-space
map, which every write loads and saves: 49,000 at 50,000 series, +50 ms on every write (an append: 47 ms
instead of 7). Measured with HDF5 2.0 through the journal's file-object driver.

blosc2 lz4 with bit-shuffle compresses candles smaller than HDFStore's zstd and decodes fastest; chunk_io.py
does the (de)compression itself, in the filter's format. Chunks hold the same number of bytes in each array
(the price block has 4 columns, so a quarter of the rows). An append recompresses the whole partly filled
last chunk of each array (~75 us per 256 KiB, whatever it holds), so chunks are no longer than reading
needs: measured on 5M minute rows, 64k-row chunks read 97M rows/s and take 0.65M rows/s in 1,000-row
appends, 32k-row chunks 98M and 0.73M, 16k-row chunks 91M and 0.78M.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from adapters.outbound import atomic_file
from adapters.outbound.file_io import OS_IO, FileIO
from adapters.outbound.hdf5 import chunk_io

TZ = "Asia/Kolkata"
PRICES = ("open", "high", "low", "close")
CHUNK_ROWS = {"minute": 32_768, "3minute": 32_768, "5minute": 32_768, "10minute": 16_384, "15minute": 16_384,
              "30minute": 8_192, "60minute": 8_192, "day": 4_096}
ARRAYS = ("axis1", "block0_values", "block1_values")


@functools.cache
def _compression() -> Any:
    """The arrays' filter; hdf5plugin is imported when a series is first created, not by reading metadata (~0.1 s)."""
    import hdf5plugin

    return hdf5plugin.Blosc2(cname="lz4", clevel=5, filters=hdf5plugin.Blosc2.BITSHUFFLE)


def int_columns(with_oi: bool) -> tuple[str, ...]:
    return ("volume", "oi") if with_oi else ("volume",)


def create_file(path: Path, durable: bool = True, file_io: FileIO = OS_IO) -> None:
    """An empty HDF5 file that keeps its free-space map across sessions; appears whole or not at all (and with
    `durable`, stays after a power cut: the journal about to be created beside it relies on it)."""
    atomic_file.make_directory(path.parent, durable=durable)
    image = io.BytesIO()  # HDF5 writes the same bytes (335) through a file object as to a path
    with h5py.File(image, "w", fs_strategy="fsm", fs_persist=True, fs_threshold=1, libver=("v110", "latest"),
                   locking=False):
        pass
    atomic_file.write_file(path, image.getbuffer(), durable=durable, file_io=file_io)


def _labels(group: h5py.Group, name: str, labels: tuple[str, ...]) -> None:
    node = group.create_dataset(name, data=np.array(labels, dtype=f"S{max(len(x) for x in labels)}"))
    node.attrs.update({"CLASS": np.bytes_("ARRAY"), "VERSION": np.bytes_("2.4"), "TITLE": np.bytes_(""),
                       "kind": "string", "transposed": np.int8(1)})


def _earray(group: h5py.Group, name: str, dtype: str, width: int | None, chunk_rows: int) -> h5py.Dataset:
    shape = (0,) if width is None else (0, width)
    chunks = (chunk_rows,) if width is None else (chunk_rows, width)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    compression = _compression()
    dcpl.set_filter(compression.filter_id, h5py.h5z.FLAG_OPTIONAL, compression.filter_options)
    space = h5py.h5s.create_simple(shape, tuple(h5py.h5s.UNLIMITED for _ in shape))
    dataset = h5py.Dataset(h5py.h5d.create(group.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space,
                                           dcpl=dcpl))
    dataset.attrs.update({"CLASS": np.bytes_("EARRAY"), "EXTDIM": np.int32(0), "VERSION": np.bytes_("1.1"),
                          "TITLE": np.bytes_(""), "transposed": np.int8(1)})
    return dataset


def create_series(h5: h5py.File, path: str, with_oi: bool, chunk_rows: int) -> h5py.Group:
    """An empty series group with pandas' fixed-frame attributes.

    pandas reads text attributes as str only if they are HDF5 UTF-8 strings (what h5py writes for str);
    PyTables' own CLASS/VERSION/TITLE stay fixed ASCII, as PyTables writes them.
    """
    group = h5.create_group(path)
    ints = int_columns(with_oi)
    group.attrs.update({
        "pandas_type": "frame", "ndim": np.int64(2), "nblocks": np.int64(2), "encoding": "UTF-8",
        "errors": "strict", "axis0_variety": "regular", "axis1_variety": "regular",
        "block0_items_variety": "regular", "block1_items_variety": "regular",
    })
    _labels(group, "axis0", PRICES + ints)
    index = _earray(group, "axis1", "i8", None, chunk_rows)
    index.attrs.update({"kind": "datetime64[s]", "name": "timestamp", "index_class": "datetime", "tz": TZ})
    _labels(group, "block0_items", PRICES)
    _earray(group, "block0_values", "f8", len(PRICES), chunk_rows // len(PRICES))
    _labels(group, "block1_items", ints)
    _earray(group, "block1_values", "i8", len(ints), chunk_rows)
    return group


def is_series(group: h5py.Group) -> bool:
    return all(name in group for name in ARRAYS)


def blocks(columns: dict[str, np.ndarray], with_oi: bool) -> dict[str, np.ndarray]:
    """Columns as the three arrays of a series."""
    return {"axis1": columns["ts"], "block0_values": np.column_stack([columns[c] for c in PRICES]),
            "block1_values": np.column_stack([columns[c] for c in int_columns(with_oi)])}


Tails = dict[str, np.ndarray | None]  # array name -> its partly filled last chunk (chunk_io.append)


def append_columns(group: h5py.Group, columns: dict[str, np.ndarray], with_oi: bool,
                   tails: Tails | None = None) -> Tails:
    """Append to every array; `tails` as returned by the previous call on this group, if still current."""
    out: Tails = {}
    for name, values in blocks(columns, with_oi).items():
        array = chunk_io.Array.open(group, name)
        if array is not None:
            out[name] = chunk_io.append(array, values, (tails or {}).get(name))
        else:  # not our chunk layout: let HDF5's filter pipeline do it
            dataset = group[name]
            start = dataset.shape[0]
            dataset.resize(start + len(values), axis=0)
            dataset[start:] = values
            out[name] = None
    return out


def _read_array(group: h5py.Group, name: str, start: int, stop: int | None,
                raw_chunk: chunk_io.RawChunk | None) -> np.ndarray:
    array = chunk_io.Array.open(group, name)
    if array is not None:
        return chunk_io.read(array, start, stop, raw_chunk)
    return group[name][start:stop]


def read_columns(group: h5py.Group, with_oi: bool, start: int = 0, stop: int | None = None,
                 raw_chunk: chunk_io.RawChunk | None = None) -> dict[str, np.ndarray]:
    """Rows [start, stop) of every column (all rows by default); see chunk_io.read for `raw_chunk`."""
    prices = _read_array(group, "block0_values", start, stop, raw_chunk)
    ints = _read_array(group, "block1_values", start, stop, raw_chunk)
    out = {"ts": _read_array(group, "axis1", start, stop, raw_chunk)}
    out.update({c: prices[:, i] for i, c in enumerate(PRICES)})  # views: copying 5M rows costs more than reading
    out.update({c: ints[:, i] for i, c in enumerate(int_columns(with_oi))})
    return out


def read_timestamps(group: h5py.Group, start: int = 0, stop: int | None = None,
                    raw_chunk: chunk_io.RawChunk | None = None) -> np.ndarray:
    """Rows [start, stop) of the timestamps alone (counts per day need no prices)."""
    return _read_array(group, "axis1", start, stop, raw_chunk)


def search_index(group: h5py.Group, ts: int, side: str, raw_chunk: chunk_io.RawChunk | None = None) -> int:
    """The row where `ts` would go in the sorted timestamps (numpy.searchsorted's `side`)."""
    array = chunk_io.Array.open(group, "axis1")
    if array is not None:
        return chunk_io.searchsorted(array, ts, side, raw_chunk)
    return int(np.searchsorted(group["axis1"][:], ts, side=side))  # type: ignore[call-overload]


def row_count(group: h5py.Group) -> int:
    return h5py.h5d.open(group.id, b"axis1").shape[0]
