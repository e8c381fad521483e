"""CheckFreeSpace and the dashboard's low-space warning, over a hand-written DiskSpace."""

from __future__ import annotations

import pytest

from application.check_free_space import CheckFreeSpace, LowSpace
from application.show_dashboard import ShowDashboard
from domain.market import Segment
from tests.fakes.fetch_log import InMemoryFetchLog
from tests.fakes.jobs import InMemoryJobs
from tests.fakes.stores import InMemoryCandleStore

MB = 1_048_576


class Disk:
    directory = "/data"

    def __init__(self, free: int) -> None:
        self.free = free

    def free_bytes(self) -> int:
        return self.free


@pytest.mark.parametrize(("free", "minimum_mb", "low"), [
    (1023 * MB, 1024, LowSpace("/data", 1023, 1024)),
    (1024 * MB, 1024, None),  # exactly the minimum is enough
    (0, 1024, LowSpace("/data", 0, 1024)),
    (0, 0, None),  # a minimum of 0 never warns
    (5 * MB + 1, 10, LowSpace("/data", 5, 10)),
])
def test_space_is_low_below_the_minimum(free, minimum_mb, low):
    assert CheckFreeSpace(Disk(free), minimum_mb).execute() == low


def test_the_dashboard_carries_the_warning():
    stores = {s: InMemoryCandleStore(s) for s in Segment}
    board = ShowDashboard(stores, InMemoryFetchLog(), InMemoryJobs(), CheckFreeSpace(Disk(10 * MB), 1024)).execute()
    assert board.low_space == LowSpace("/data", 10, 1024)
    assert ShowDashboard(stores, InMemoryFetchLog(), InMemoryJobs()).execute().low_space is None
