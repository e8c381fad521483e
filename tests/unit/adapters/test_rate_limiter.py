import threading
import time

from adapters.outbound.kite.rate_limiter import SharedWindowLimiter, SlidingWindowLimiter


def max_in_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    best = 0
    for i, t in enumerate(starts):
        j = i
        while j < len(starts) and starts[j] - t < window:
            j += 1
        best = max(best, j - i)
    return best


def test_sliding_window_with_a_fake_clock():
    now = [0.0]
    sleeps = []

    def sleep(d):
        sleeps.append(d)
        now[0] += d

    limiter = SlidingWindowLimiter(3, 1.0, margin=0.0, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(7):
        limiter.acquire()
        starts.append(now[0])
    assert starts == [0, 0, 0, 1.0, 1.0, 1.0, 2.0]


def test_threads_never_exceed_the_rate(tmp_path):
    limiter = SharedWindowLimiter(tmp_path / "rate", 3, 1.0, margin=0.02)
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
    assert time.time() - began < 3 * 1.02 + 0.5  # 12 calls: 3 at once, then 3 per window
