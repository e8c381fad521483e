"""DiskSpace for the data dir, from the file system's own figures (statvfs through shutil.disk_usage)."""

from __future__ import annotations

from pathlib import Path

from adapters.outbound.storage_errors import free_bytes


class DataDirSpace:
    def __init__(self, directory: Path) -> None:
        self._path = Path(directory)
        self.directory = str(directory)

    def free_bytes(self) -> int:
        return free_bytes(self._path)
