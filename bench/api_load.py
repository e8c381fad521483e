"""API under load: 32 concurrent connections on existing-range, lookup and database-info.

Run: `make bench` (or `.venv/bin/python -m bench.api_load`). Starts the sandbox, `kitefetch serve` (gunicorn)
and, as the baseline, the same app under Flask's threaded development server, on one data dir holding a few
series; then drives each with 32 keep-alive connections rotating over five read routes. The load generator is
wrk (Debian package `wrk`) when installed, else 32 Python threads; either shares the 2-core machine with the
server, so latencies include client-side queueing (the Python client's far more).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.common import table
from tests.integration.processes import free_port

ROUTES = ["/api/data/existing-range/NSE/RELIANCE/day", "/api/data/lookup/NSE/M%26M",
          "/api/data/database-info/EQUITY", "/api/data/existing-range/NSE/INFY/5minute",
          "/api/data/lookup/NFO/NIFTY26DECFUT"]
DEV_SERVER = "from bootstrap.app import create_app; import sys; create_app().run('127.0.0.1', int(sys.argv[1]), " \
             "threaded=True)"


def wait(url: str) -> None:
    for _ in range(200):
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def load(base: str, total: int, connections: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = total // connections

    def worker(offset: int) -> None:
        nonlocal errors
        session = requests.Session()
        mine, bad = [], 0
        for i in range(per_thread):
            started = time.perf_counter()
            try:
                response = session.get(base + ROUTES[(offset + i) % len(ROUTES)], timeout=10)
                ok = response.status_code == 200 and response.json()["success"]
            except (requests.RequestException, ValueError):
                ok = False
            mine.append(time.perf_counter() - started)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"n": len(latencies), "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "rps": len(latencies) / elapsed,
            "errors": errors}


LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def _ms(text: str) -> float:
    value = float(text.rstrip("usm"))
    return value / 1000 if text.endswith("us") else value * 1000 if text.endswith("s") and not text.endswith(
        "ms") else value


def load_wrk(base: str, seconds: int, connections: int) -> dict:
    script = Path(tempfile.mkdtemp()) / "routes.lua"
    script.write_text(LUA % ", ".join(f'"{r}"' for r in ROUTES))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    pick = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.strip()[:3] in ("50%", "99%")}
    total = int(next(line for line in out.splitlines() if "requests in" in line).split()[0])
    errors = sum(int(x) for line in out.splitlines() if "Non-2xx" in line for x in line.split()[-1:])
    errors += sum(int(x.strip(",")) for line in out.splitlines() if "Socket errors" in line
                  for x in line.split()[3::2])
    rps = float(next(line for line in out.splitlines() if line.startswith("Requests/sec")).split()[1])
    return {"n": total, "p50": _ms(pick["50%"]), "p99": _ms(pick["99%"]), "rps": rps, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3200)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8, help="server worker threads (kitefetch serve's default)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per server")
    args = parser.parse_args()
    kitefetch = str(Path(sys.executable).with_name("kitefetch"))
    data_dir = Path(tempfile.mkdtemp(prefix="kitefetch-load-"))
    sandbox_port, api_port, dev_port = free_port(), free_port(), free_port()
    env = {**os.environ, "KITE_API_KEY": "sandbox", "KITE_API_SECRET": "sandbox-secret",
           "KITE_ACCESS_TOKEN": "sandbox-token", "KITE_API_ROOT": f"http://127.0.0.1:{sandbox_port}",
           "KITEFETCH_DATA_DIR": str(data_dir), "FLASK_ENV": "production", "FLASK_SECRET_KEY": "bench-secret"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([kitefetch, "sandbox", "--port", str(sandbox_port), "--cost-ms-per-1000-candles",
                               "0"], env=env, **quiet)]
    try:
        wait(f"http://127.0.0.1:{sandbox_port}/__sandbox/stats")
        procs.append(subprocess.Popen([kitefetch, "serve", "--port", str(api_port), "--threads", str(args.threads)],
                                      env=env, **quiet))
        procs.append(subprocess.Popen([sys.executable, "-c", DEV_SERVER, str(dev_port)], env=env, **quiet))
        api, dev = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{dev_port}"
        wait(f"{api}/healthz")
        wait(f"{dev}/healthz")
        for symbol, interval in (("RELIANCE", "day"), ("INFY", "5minute"), ("TCS", "day")):
            requests.post(f"{api}/api/data/fetch-equity", json={"symbol": symbol, "from_date": "2025-01-01",
                                                                "to_date": "2025-03-31", "interval": interval},
                          timeout=120).raise_for_status()
        for base in (api, dev):  # warm both: instrument caches, file handles
            for route in ROUTES:
                requests.get(base + route, timeout=60).raise_for_status()
        use_wrk = shutil.which("wrk") is not None
        print(f"  load generator: {'wrk' if use_wrk else 'Python threads (install wrk for a lighter client)'}")

        def run(base: str) -> dict:
            if use_wrk:
                return load_wrk(base, args.seconds, args.connections)
            return load(base, args.requests, args.connections)

        results = {"kitefetch serve (gunicorn)": run(api), "Flask dev server (threaded)": run(dev)}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
    ours = results["kitefetch serve (gunicorn)"]
    load_size = f"{args.seconds} s" if use_wrk else f"{args.requests} requests"
    table(f"API load: {args.connections} connections, {load_size} over {len(ROUTES)} read routes "
          "(targets: p99 < 50 ms, zero errors)",
          ["server", "requests", "p50 ms", "p99 ms", "req/s", "errors"],
          [[name, r["n"], f"{r['p50']:.1f}", f"{r['p99']:.1f}", f"{r['rps']:.0f}", r["errors"]]
           for name, r in results.items()])
    base = results["Flask dev server (threaded)"]
    print(f"  p99 ratio (dev server / ours): {base['p99'] / ours['p99']:.2f}x")


if __name__ == "__main__":
    main()
