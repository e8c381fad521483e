"""Candles as pandas DataFrames or Arrow tables, shaped exactly as `pandas.read_hdf` reads a stored series.

pandas and pyarrow are imported on first use, not by `import kitefetch` (pandas alone takes ~0.35 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from domain.candles import CandleFrame

if TYPE_CHECKING:
    import pandas as pd

TZ = "Asia/Kolkata"  # the stored index's zone, as layout.py writes it
PRICES = ("open", "high", "low", "close")


def _columns(frame: CandleFrame) -> dict[str, np.ndarray]:
    columns = {c: getattr(frame, c) for c in PRICES}
    columns["volume"] = frame.volume
    if frame.oi is not None:
        columns["oi"] = frame.oi
    return columns


def stamps(ts: np.ndarray) -> pd.DatetimeIndex:
    """Epoch seconds as the stored index reads: datetime64[s, Asia/Kolkata] named `timestamp`."""
    import pandas as pd

    return pd.DatetimeIndex(np.asarray(ts, dtype=np.int64).view("datetime64[s]"), name="timestamp") \
        .tz_localize("UTC").tz_convert(TZ)


def to_pandas(frame: CandleFrame, contracts: tuple[np.ndarray, Sequence[str]] | None = None) -> pd.DataFrame:
    """The frame as a DataFrame; `contracts` (codes per row, names) adds an ordered categorical `contract`."""
    import pandas as pd

    data: dict[str, Any] = dict(_columns(frame))
    if contracts is not None:
        codes, names = contracts
        categories = pd.Index(list(names))
        data["contract"] = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories, ordered=True)
    return pd.DataFrame(data, index=stamps(frame.ts))


def to_arrow(frame: CandleFrame, contracts: tuple[np.ndarray, Sequence[str]] | None = None) -> Any:
    """The frame as a pyarrow Table: `timestamp` (timestamp[s, tz=Asia/Kolkata]) then the columns;
    `contract` dictionary-encoded."""
    import pyarrow as pa

    arrays = [pa.array(np.asarray(frame.ts, dtype=np.int64), pa.timestamp("s", tz=TZ))]
    names = ["timestamp"]
    for name, column in _columns(frame).items():
        arrays.append(pa.array(np.ascontiguousarray(column)))
        names.append(name)
    if contracts is not None:
        codes, symbols = contracts
        arrays.append(pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(list(symbols))))
        names.append("contract")
    return pa.Table.from_arrays(arrays, names=names)
