"""Reading a kitefetch database from a notebook or script without ever seeing a write half-applied.

`pandas.read_hdf` on its own does not know kitefetch's lock: a read that overlaps the few milliseconds in
which a commit copies pages into the file can fail or see a mix. This takes the same shared lock kitefetch's
readers take (and rolls back a writer that died mid-commit) around the pandas call.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from adapters.outbound.hdf5 import journal
from adapters.outbound.hdf5.file_lock import InterProcessLock


def read_hdf(path: str | os.PathLike, key: str, lock_timeout: float = 30.0, **kwargs) -> pd.DataFrame:
    """`pandas.read_hdf(path, key, **kwargs)`, consistent with concurrent kitefetch writers."""
    path = Path(path)
    lock = InterProcessLock(path.with_name(path.name + ".lock"), lock_timeout)
    if journal.journal_path(path).exists():
        with lock.hold(exclusive=True):
            journal.recover(path)
    with lock.hold(exclusive=False):
        return pd.read_hdf(path, key, **kwargs)
