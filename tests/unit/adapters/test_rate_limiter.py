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


def test_threads_never_exceed_the_rate(tmp_path):
    limiter = SharedRateLimiter(tmp_path / "rate", 3, 1.0, margin=0.02)
    starts: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(3):
            limiter.acquire()
            with lock:
                starts.append(time.time())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    began = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 12
    assert max_in_window(starts, 1.0) <= 3
    assert time.time() - began < 11 * 1.02 / 3 + 0.5  # full speed: 12 starts 1/3 s apart
