"""Two processes with the same state file share one 3/s budget."""

import json
import subprocess
import sys

from tests.unit.adapters.test_rate_limiter import check_paced

CHILD = """
import json, sys, time, threading
from adapters.outbound.kite.rate_limiter import SharedRateLimiter
out, lock = [], threading.Lock()
class Recording(SharedRateLimiter):  # each slot as the limiter computed it (see test_rate_limiter.py)
    def _reserve(self):
        asked, start = super()._reserve()
        mine.slot = (asked, start)
        return asked, start
limiter, mine = Recording(sys.argv[1], 3, 1.0, margin=0.02), threading.local()
def work():
    for _ in range(3):
        limiter.acquire()
        returned = time.time()
        with lock:
            out.append((*mine.slot, returned))
ts = [threading.Thread(target=work) for _ in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps(out))
"""


def test_two_processes_share_the_window(tmp_path):
    state = tmp_path / "rate"
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(state)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    acquired = sorted(tuple(a) for p in procs for a in json.loads(p.communicate(timeout=60)[0]))
    assert len(acquired) == 12
    by_start = sorted(acquired, key=lambda a: a[1])  # starts only grow as slots are booked: the booking order
    check_paced([(asked, start) for asked, start, _ in by_start], [back for _, _, back in by_start], 1.02 / 3)
