import threading
import time

from adapters.outbound.kite.rate_limiter import RateLimiter, SharedRateLimiter


def max_in_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    best = 0
    for i, t in enumerate(starts):
        j = i
        while j < len(starts) and starts[j] - t < window:
            j += 1
        best = max(best, j - i)
    return best


def test_starts_are_paced_with_a_fake_clock():
    now = [0.0]

    def sleep(d):
        now[0] += d

    limiter = RateLimiter(3, 1.0, margin=0.03, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(7):
        limiter.acquire()
        starts.append(round(now[0], 6))
    assert starts == [round(i * 1.03 / 3, 6) for i in range(7)]
    assert max_in_window(starts, 1.0) == 3


def test_a_429_widens_the_spacing_and_success_narrows_it_again():
    now = [0.0]
    limiter = RateLimiter(3, 1.0, margin=0.0, clock=lambda: now[0], sleep=lambda d: now.__setitem__(0, now[0] + d))
    limiter.acquire()
    limiter.on_throttled()
    limiter.acquire()
    widened = now[0]
    limiter.acquire()
    assert widened == 1 / 3 and now[0] - widened > 1.04 / 3  # the next gap carries the extra 0.05 s
    for _ in range(500):
        limiter.acquire()
    before = now[0]
    limiter.acquire()
    assert abs((now[0] - before) - 1 / 3) < 0.001


class RecordingLimiter(SharedRateLimiter):
    """The shared limiter, keeping each slot it hands out as it computed it: (thread, when asked, slot start)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots: list[tuple[str, float, float]] = []

    def _reserve(self) -> tuple[float, float]:
        now, start = super()._reserve()
        self.slots.append((threading.current_thread().name, now, start))  # under acquire's lock: in the order booked
        return now, start


def check_paced(slots: list[tuple[float, float]], returned: list[float], spacing: float) -> None:
    """Slots (asked, start) in booking order, and when each acquire returned (same order per thread, matched by
    the caller): starts at least `spacing` apart (so never more than 3 in a second), none later than the pace
    demands (full speed), and no acquire returning before its slot. Measured on the limiter's own timestamps,
    so a loaded machine delaying a thread cannot make it fail, nor hide a limiter that lets calls bunch."""
    starts = [start for _, start in slots]
    assert all(b - a >= spacing - 1e-6 for a, b in zip(starts, starts[1:], strict=False)), starts
    assert max_in_window(starts, 1.0) <= 3
    for previous, (asked, start) in zip(starts, slots[1:], strict=False):
        assert abs(start - max(asked, previous + spacing)) < 1e-6, (asked, start, previous)
    assert all(back >= start - 0.005 for (_, start), back in zip(slots, returned, strict=True))


def test_threads_never_exceed_the_rate(tmp_path):
    limiter = RecordingLimiter(tmp_path / "rate", 3, 1.0, margin=0.02)
    returned: dict[str, list[float]] = {}

    def worker():
        mine = returned.setdefault(threading.current_thread().name, [])
        for _ in range(3):
            limiter.acquire()
            mine.append(time.time())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(limiter.slots) == 12 and len({thread for thread, _, _ in limiter.slots}) == 4
    position = {thread: iter(times) for thread, times in returned.items()}
    check_paced([(asked, start) for _, asked, start in limiter.slots],
                [next(position[thread]) for thread, _, _ in limiter.slots], 1.02 / 3)
