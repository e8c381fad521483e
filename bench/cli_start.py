"""CLI start-up benchmark: the commands that answer from local files, as a user runs them, beside the container path.

Run: `.venv/bin/python -m bench.cli_start [--runs 15]` (also in `make bench`). Each command runs as a new
`kitefetch` process against a data dir holding 20 stored series and today's cached NSE instrument list (the
sandbox's dump), from a scratch working directory (no `.env`). The baseline runs the same commands through the
composition every command had before (bootstrap/queries.py's docstring says why the queries no longer use it): the
parser module importing every command's module, then logging set-up and the dependency-injector container. Both
must print the same bytes and exit with the same code. Peak RSS is per process (`wait4`). Target: < 0.3 s each.
`--baseline-tree DIR` runs the baseline from another checkout instead (`git worktree add /tmp/kf-main main`):
its `bootstrap.cli.main`, with this venv's packages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Only the standard library up here: on Linux a child's peak RSS counts the parent's at the fork, so the process
# that starts the measured ones must stay small. The data dir is made by a child of its own (--prepare).
COMMANDS = [["--help"], ["--version"], ["range", "NSE", "RELIANCE", "minute"], ["range", "nse", "reliance", "minute"],
            ["db-info", "EQUITY", "--json"], ["lookup", "NSE", "RELIANCE"]]
KITEFETCH = Path(sys.executable).with_name("kitefetch")
VIA_CONTAINER = """\
import logging, sys
import adapters.inbound.cli.commands  # what the parser module imported before
from adapters.inbound.cli.main import dispatch, parse
args = parse(sys.argv[1:])
if isinstance(args, int):
    sys.exit(args)
from bootstrap.container import build_container
from bootstrap.logging_setup import configure_logging
from bootstrap.runtime import tune_gc
from bootstrap.settings import Settings
settings = Settings.from_env()
configure_logging(settings.production, logging.WARNING)
container = build_container(settings)
tune_gc()
sys.exit(dispatch(container, args))
"""


def make_data_dir(root: Path) -> None:
    """20 series in EQUITY.h5 (RELIANCE: two years of minute candles) and today's NSE instrument list."""
    import logging

    import requests

    from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
    from adapters.outbound.instruments.cache import InstrumentCache
    from adapters.outbound.system_clock import SystemClock
    from bench.common import minute_candles
    from bench.instruments import BodySource
    from bootstrap.logging_setup import configure_logging
    from domain.instrument import SeriesKey
    from domain.interval import Interval
    from domain.market import Exchange, Segment
    from kite_sandbox import SandboxConfig, start_sandbox

    configure_logging(production=False, level=logging.WARNING)
    store = Hdf5SegmentStore(root / "EQUITY.h5", Segment.EQUITY)
    frame = minute_candles(375 * 500)
    store.write(SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE), frame, [(int(frame.ts[0]), int(frame.ts[-1]))])
    for i in range(19):
        small = minute_candles(1000, seed=i)
        store.write(SeriesKey(Exchange.NSE, f"STOCK{i}", Interval.MINUTE), small,
                    [(int(small.ts[0]), int(small.ts[-1]))])
    store.close()
    with start_sandbox(SandboxConfig(port=0)) as sandbox:
        body = requests.get(f"{sandbox.url}/instruments/NSE", timeout=60).content
    InstrumentCache(BodySource(body), root / "instruments", SystemClock()).instruments(Exchange.NSE,
                                                                                       force_refresh=True)


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, bytes]:
    """Wall seconds, peak RSS (MB), exit code and stdout of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, out


def measure(argv: list[str], env: dict[str, str], cwd: Path, runs: int) -> tuple[float, float, int, bytes]:
    samples = [run(argv, env, cwd) for _ in range(runs)]
    outputs = {(rc, out) for _, _, rc, out in samples}
    assert len(outputs) == 1, f"{argv[-1]}: runs disagree"
    rc, out = outputs.pop()
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples), rc, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline-tree", type=Path, help="a checkout whose bootstrap.cli is the baseline")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)  # the child that makes the data dir
    args = parser.parse_args()
    if args.prepare:
        make_data_dir(args.prepare)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="kitefetch-cli-") as scratch:
        root = Path(scratch)
        subprocess.run([sys.executable, "-m", "bench.cli_start", "--prepare", str(root / "data")], check=True)
        env = {**os.environ, "KITEFETCH_DATA_DIR": str(root / "data"), "KITE_ACCESS_TOKEN": ""}
        baseline, baseline_env = [sys.executable, "-c", VIA_CONTAINER], env
        if args.baseline_tree:
            baseline = [sys.executable, "-c", "import sys; from bootstrap.cli import main; sys.exit(main())"]
            baseline_env = {**env, "PYTHONPATH": str(args.baseline_tree.resolve())}
        for command in COMMANDS:
            ours = measure([str(KITEFETCH), *command], env, root, args.runs)
            before = measure([*baseline, *command], baseline_env, root, args.runs)
            assert ours[2:] == before[2:], f"{command}: output or exit code differ"
            rows.append([" ".join(command), f"{ours[0]:.3f} s", f"{ours[1]:.0f} MB", f"{before[0]:.3f} s",
                         f"{before[1]:.0f} MB", f"{before[0] / ours[0]:.1f}x", ours[2]])
    from bench.common import table  # only now (it imports pandas): see the imports above

    table(f"kitefetch start-up, medians of {args.runs} processes (target: < 0.3 s)",
          ["command", "wall", "peak RSS", "baseline" if args.baseline_tree else "via container", "peak RSS",
           "speed-up", "exit"], rows)


if __name__ == "__main__":
    main()
