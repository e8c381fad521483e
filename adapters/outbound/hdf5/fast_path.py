"""The two hot paths, metadata reads and appends, through h5py: PyTables builds a Python object and reads
every attribute of each node it touches (~1.5 ms per append); h5py touches only what we ask for.

Files, series groups and rewrites stay with PyTables (layout.py), which writes the node attributes pandas
needs. hdf5plugin gives h5py the same blosc2 filter PyTables uses, so chunks written here read everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401 - registers the blosc2 filter with h5py's HDF5
import numpy as np

from adapters.outbound.hdf5 import layout

META = "kf_meta"


def decode_meta(raw: object) -> dict | None:
    if raw is None:
        return None
    if isinstance(raw, np.ndarray):
        raw = raw.item()
    if isinstance(raw, bytes):
        raw = raw.decode()
    return json.loads(str(raw))


def read_meta(path: Path, series: str) -> dict | None:
    """The series' metadata; None when the file or the series does not exist."""
    try:
        with h5py.File(path, "r") as h5:
            group = h5.get(series)
            return None if group is None else decode_meta(group.attrs.get(META))
    except FileNotFoundError:
        return None


def try_append(path: Path, series: str, columns: dict[str, np.ndarray], with_oi: bool,
               new_meta: callable) -> dict | None:
    """Append rows that all come after the series' last candle; None when that is not the case.

    `new_meta(old_meta)` gives the metadata to store with the rows; it runs only when the append happens.
    """
    if not path.exists():
        return None
    with h5py.File(path, "r+") as h5:
        group = h5.get(series)
        if group is None:
            return None
        meta = decode_meta(group.attrs.get(META))
        if meta is None:
            return None
        stamps = columns["ts"]
        if len(stamps) and meta["rows"] and int(stamps[0]) <= meta["last_ts"]:
            return None
        if len(stamps):
            for name, values in layout.blocks(columns, with_oi).items():
                dataset = group[name]
                start = dataset.shape[0]
                dataset.resize(start + len(values), axis=0)
                dataset[start:] = values
        meta = new_meta(meta)
        group.attrs[META] = json.dumps(meta)
        return meta
