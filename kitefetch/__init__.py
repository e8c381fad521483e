"""Read a kitefetch data dir from Python: `store = kitefetch.open()`, then `store.candles("NSE", "M&M", "day")`.

See docs/python.md. Importing this loads neither pandas nor the Kite client, Flask or gunicorn; pandas (and
pyarrow, the calendar) load at the first read that needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

from bootstrap.settings import Settings, data_dir_from_env
from kitefetch.errors import SeriesNotFound
from kitefetch.store import Store

__all__ = ["SeriesNotFound", "Store", "open"]


def open(data_dir: str | os.PathLike[str] | None = None, *, lock_timeout: float = Settings.store_lock_timeout) -> Store:
    """The data dir's candles, read-only: `data_dir`, else where the CLI finds it (KITEFETCH_DATA_DIR, then
    the `.env` file of the working directory, then ./data/hdf5).

    Nothing is written and no file or directory is created, with one exception: reading an existing database
    whose `<file>.lock` is missing creates that empty lock file (it is what keeps a writer from committing
    mid-read; a database kitefetch wrote has one already). On a read-only file system reads go ahead without
    creating it. `lock_timeout` bounds the wait for a writer (seconds), then StoreBusy.
    """
    if data_dir is None:
        path, source = data_dir_from_env()
    else:
        path, source = Path(data_dir).expanduser(), "the data_dir argument"
    if not path.is_dir():
        raise FileNotFoundError(f"No kitefetch data dir at {path} (from {source})")
    return Store(path, lock_timeout)
