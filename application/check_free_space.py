"""CheckFreeSpace: is the data dir running out of room? Asked by `kitefetch serve` at start-up and by the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports import DiskSpace

MB = 1_048_576


@dataclass(frozen=True, slots=True)
class LowSpace:
    directory: str
    free_mb: int
    minimum_mb: int


class CheckFreeSpace:
    """Rules: space is low below `minimum_mb` free (KITEFETCH_MIN_FREE_MB); a minimum of 0 never warns. Said before
    a fetch fails with "disk full" (which stores nothing), so the user can free space or move the data dir first."""

    def __init__(self, disk: DiskSpace, minimum_mb: int) -> None:
        self._disk = disk
        self._minimum_mb = minimum_mb

    def execute(self) -> LowSpace | None:
        if self._minimum_mb <= 0:
            return None
        free = self._disk.free_bytes()
        if free >= self._minimum_mb * MB:
            return None
        return LowSpace(self._disk.directory, free // MB, self._minimum_mb)
