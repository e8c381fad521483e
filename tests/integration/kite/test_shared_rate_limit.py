"""Two processes with the same state file share one 3/s budget."""

import json
import subprocess
import sys
import time

from tests.unit.adapters.test_rate_limiter import max_in_window

CHILD = """
import json, sys, time, threading
from adapters.outbound.kite.rate_limiter import SharedRateLimiter
limiter = SharedRateLimiter(sys.argv[1], 3, 1.0, margin=0.02)
out, lock = [], threading.Lock()
def work():
    for _ in range(3):
        limiter.acquire()
        with lock:
            out.append(time.time())
ts = [threading.Thread(target=work) for _ in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps(out))
"""


def test_two_processes_share_the_window(tmp_path):
    state = tmp_path / "rate"
    began = time.time()
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(state)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    starts = [t for p in procs for t in json.loads(p.communicate(timeout=60)[0])]
    assert len(starts) == 12
    assert max_in_window(starts, 1.0) <= 3
    assert time.time() - began < 6
