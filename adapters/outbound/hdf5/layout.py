"""The on-disk shape of one series: columns as extendable arrays that pandas reads as a "fixed" frame.

A series group `/EXCHANGE/SYMBOL/INTERVAL` holds one EArray per column (`axis1` for the timestamps, one
`blockN_values` per value column) plus the attributes pandas' fixed-format reader expects, so
`pandas.read_hdf(file, key)` returns a DataFrame with a tz-aware IST index without pandas having written it.
Why not pandas' own "table" format: records interleave the columns (slower to read and to compress) and
pandas' append path is ~30x slower than appending to column arrays. Chunks of 16k rows keep small appends
cheap; blosc2 lz4 with bit-shuffle compresses candles smaller than HDFStore's zstd and decodes fastest.
"""

from __future__ import annotations

import numpy as np
import tables

CHUNK_ROWS = 16_384
FILTERS = tables.Filters(complevel=5, complib="blosc2:lz4", shuffle=False, bitshuffle=True)
TZ = "Asia/Kolkata"
PRICE_COLUMNS = ("open", "high", "low", "close")


def columns_for(with_oi: bool) -> tuple[tuple[str, np.dtype], ...]:
    cols = [(c, np.dtype(np.float64)) for c in PRICE_COLUMNS] + [("volume", np.dtype(np.int64))]
    if with_oi:
        cols.append(("oi", np.dtype(np.int64)))
    return tuple(cols)


def _labels(h5: tables.File, group: tables.Group, name: str, labels: list[str]) -> None:
    node = h5.create_array(group, name, np.array(labels, dtype=f"S{max(len(x) for x in labels)}"))
    node._v_attrs.kind = "string"
    node._v_attrs.name = None
    node._v_attrs.transposed = True


def create_series(h5: tables.File, parent: str, name: str, with_oi: bool) -> tables.Group:
    """An empty series group with pandas' fixed-frame attributes and one EArray per column."""
    group = h5.create_group(parent, name, createparents=True)
    columns = columns_for(with_oi)
    attrs = group._v_attrs
    attrs.pandas_type = "frame"
    attrs.ndim = 2
    attrs.nblocks = len(columns)
    attrs.encoding = "UTF-8"
    attrs.errors = "strict"
    attrs.axis0_variety = "regular"
    attrs.axis1_variety = "regular"
    _labels(h5, group, "axis0", [c for c, _ in columns])
    index = h5.create_earray(group, "axis1", tables.Int64Atom(), (0,), filters=FILTERS, chunkshape=(CHUNK_ROWS,))
    index._v_attrs.kind = "datetime64[s]"
    index._v_attrs.name = "timestamp"
    index._v_attrs.index_class = "datetime"
    index._v_attrs.tz = TZ
    index._v_attrs.freq = None
    index._v_attrs.transposed = True
    for i, (column, dtype) in enumerate(columns):
        setattr(attrs, f"block{i}_items_variety", "regular")
        _labels(h5, group, f"block{i}_items", [column])
        values = h5.create_earray(group, f"block{i}_values", tables.Atom.from_dtype(dtype), (0, 1),
                                  filters=FILTERS, chunkshape=(CHUNK_ROWS, 1))
        values._v_attrs.transposed = True
    return group


def append_columns(group: tables.Group, columns: dict[str, np.ndarray]) -> None:
    group.axis1.append(columns["ts"])
    for i, name in enumerate(_column_names(group)):
        group._f_get_child(f"block{i}_values").append(columns[name].reshape(-1, 1))


def read_columns(group: tables.Group, start: int | None = None, stop: int | None = None) -> dict[str, np.ndarray]:
    """Rows [start, stop) of every column (all rows by default; PyTables reads one row for `start` alone)."""
    if start is not None and stop is None:
        stop = group.axis1.nrows
    out = {"ts": group.axis1.read(start, stop)}
    for i, name in enumerate(_column_names(group)):
        out[name] = group._f_get_child(f"block{i}_values").read(start, stop).reshape(-1)
    return out


def _column_names(group: tables.Group) -> list[str]:
    return [x.decode() for x in group.axis0.read()]
