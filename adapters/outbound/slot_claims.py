"""SlotClaims as files, `<data dir>/schedule/<slot>.claimed`: created with O_EXCL, which the kernel grants to one
caller only, so two processes (two gunicorn workers, a server and its restart) never run the same scheduled sync.
A claim file is a few bytes (who and when); the last CLAIMS_KEPT are kept, older ones removed on each claim."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from adapters.outbound.atomic_file import make_directory
from adapters.outbound.storage_errors import storage_errors
from domain.clock_time import to_datetime

CLAIMS_KEPT = 100


class SlotClaimFiles:
    def __init__(self, directory: Path, durable: bool = True) -> None:
        self._directory = Path(directory)
        self._durable = durable

    def claim(self, slot: int) -> bool:
        path = self._directory / f"{to_datetime(slot):%Y-%m-%dT%H%M}.claimed"
        with storage_errors(self._directory):
            make_directory(self._directory, durable=self._durable)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            try:
                os.write(fd, f"pid {os.getpid()}\n".encode())
                if self._durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            for old in sorted(self._directory.glob("*.claimed"))[:-CLAIMS_KEPT]:
                with contextlib.suppress(OSError):
                    old.unlink()
        return True
