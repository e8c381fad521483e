"""Store benchmark: kitefetch's HDF5 segment store beside pandas HDFStore (table, blosc:zstd:5) and ArcticDB (LMDB).

Run: `make bench-store` (or `.venv/bin/python -m bench.store [--rows 5000000] [--runs 3]`).
Prints medians and ratios: bulk write, full read, 1,000 appends of 1,000 rows, first/last timestamp on a 10M-row
series, and file size. ArcticDB is a bench-only extra (`pip install -e .[bench]`); it is skipped if missing.
kitefetch runs durable, as it ships (every commit fsynced, see adapters/outbound/hdf5/journal.py); its appends are
also timed without fsync (KITEFETCH_DURABLE=0) in the same rounds, which is what the other two do.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from bench.common import frame_to_pandas, minute_candles, peak_rss_mb, table
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

warnings.filterwarnings("ignore")
KEY = SeriesKey(Exchange.NSE, "BENCH", Interval.MINUTE)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


class Ours:
    name = "kitefetch"

    def __init__(self, root: Path) -> None:
        self.root = root

    def store(self, tag: str, durable: bool = True) -> Hdf5SegmentStore:
        return Hdf5SegmentStore(self.root / f"{tag}.h5", Segment.EQUITY, durable=durable)

    def write(self, tag: str, frame: CandleFrame, durable: bool = True) -> None:
        self.store(tag, durable).write(KEY, frame, [(int(frame.ts[0]), int(frame.ts[-1]))])

    def read(self, tag: str) -> int:
        return len(self.store(tag).read(KEY))

    def appends(self, tag: str, chunks: list[CandleFrame], durable: bool = True) -> None:
        store = self.store(tag, durable)
        for chunk, after in zip(chunks, chunks[1:] + [None], strict=True):
            # Each append covers up to the next one's first candle: FetchHistory records the requested
            # windows, which tile the range with no holes (so coverage stays one span).
            end = int(after.ts[0]) - 1 if after is not None else int(chunk.ts[-1]) + 59
            store.write(KEY, chunk, [(int(chunk.ts[0]), end)])

    def first_last(self, tag: str) -> tuple[int, int]:
        info = self.store(tag).info(KEY)  # a fresh store: opens the file, reads one attribute
        return info.first_ts, info.last_ts

    def size(self, tag: str) -> int:
        return dir_size(self.root / f"{tag}.h5")


class HdfStoreTable:
    name = "HDFStore"

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, tag: str, frame: CandleFrame) -> None:
        frame_to_pandas(frame).to_hdf(self.root / f"{tag}.h5", key="bench", format="table", complib="blosc:zstd",
                                      complevel=5, mode="w")

    def read(self, tag: str) -> int:
        return len(pd.read_hdf(self.root / f"{tag}.h5", "bench"))

    def appends(self, tag: str, chunks: list[CandleFrame]) -> None:
        with pd.HDFStore(self.root / f"{tag}.h5", mode="w", complib="blosc:zstd", complevel=5) as store:
            for chunk in chunks:
                store.append("bench", frame_to_pandas(chunk), format="table", index=False)

    def first_last(self, tag: str) -> tuple[int, int]:
        with pd.HDFStore(self.root / f"{tag}.h5", mode="r") as store:
            rows = store.get_storer("bench").nrows
            first = store.select("bench", start=0, stop=1).index[0]
            last = store.select("bench", start=rows - 1, stop=rows).index[0]
        return int(first.timestamp()), int(last.timestamp())

    def size(self, tag: str) -> int:
        return dir_size(self.root / f"{tag}.h5")


class Arctic:
    name = "ArcticDB"

    def __init__(self, root: Path) -> None:
        import arcticdb

        self.root = root
        self.lib = arcticdb.Arctic(f"lmdb://{root}/arctic?map_size=20GB").get_library("bench", create_if_missing=True)

    def write(self, tag: str, frame: CandleFrame) -> None:
        self.lib.write(tag, frame_to_pandas(frame))

    def read(self, tag: str) -> int:
        return len(self.lib.read(tag).data)

    def appends(self, tag: str, chunks: list[CandleFrame]) -> None:
        self.lib.write(tag, frame_to_pandas(chunks[0]))
        for chunk in chunks[1:]:
            self.lib.append(tag, frame_to_pandas(chunk))

    def first_last(self, tag: str) -> tuple[int, int]:
        first = self.lib.head(tag, n=1).data.index[0]
        last = self.lib.tail(tag, n=1).data.index[-1]
        return int(first.timestamp()), int(last.timestamp())

    def size(self, tag: str) -> int | None:
        return None  # one LMDB environment holds every symbol; not comparable per series


def _worker(engine_class, root: Path, conn, frame: CandleFrame, chunks: list[CandleFrame], big: CandleFrame) -> None:
    """One engine per process, so one engine's heap and background threads never slow another's timings."""
    root.mkdir(parents=True, exist_ok=True)
    try:
        engine = engine_class(root)
    except ImportError as error:
        conn.send(error)
        return
    conn.send(engine.name)
    rows = len(frame)
    while (command := conn.recv()) is not None:
        op, tag = command
        started = time.perf_counter()
        if op == "write":
            engine.write(tag, frame)
        elif op == "write_no_fsync":
            engine.write(tag, frame, durable=False)
        elif op == "read":
            assert engine.read(tag) == rows
        elif op == "appends":
            engine.appends(tag, chunks)
        elif op == "appends_no_fsync":
            engine.appends(tag, chunks, durable=False)
        elif op == "big":
            engine.write(tag, big)
            assert engine.first_last(tag) == (int(big.ts[0]), int(big.ts[-1]))
        elif op == "range":  # sub-millisecond: time 20 back-to-back calls, not one call after a wake-up
            calls = []
            for _ in range(20):
                began = time.perf_counter()
                engine.first_last(tag)
                calls.append(time.perf_counter() - began)
            conn.send(statistics.median(calls))
            continue
        elapsed = time.perf_counter() - started
        conn.send(engine.size(tag) if op == "size" else elapsed)
    conn.send(peak_rss_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--range-rows", type=int, default=10_000_000)
    parser.add_argument("--appends", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kitefetch-bench-"))
    frame = minute_candles(args.rows)
    chunks = [frame.take(slice(i * 1000, (i + 1) * 1000)) for i in range(args.appends)]
    big = minute_candles(args.range_rows, seed=2)
    context = multiprocessing.get_context("fork")
    workers = {}
    for engine_class in (Ours, HdfStoreTable, Arctic):
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(engine_class, root / engine_class.name, child, frame,
                                                        chunks, big), daemon=True)
        process.start()
        hello = parent.recv()
        if isinstance(hello, Exception):
            print(f"{engine_class.name} unavailable ({hello}); install the bench extra: pip install -e '.[bench]'")
            process.join()
            continue
        workers[hello] = (parent, process)
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in workers}

    def each(op: str, tag: str, only: str | None = None) -> None:
        for name, (conn, _) in workers.items():  # rounds interleave engines, so noise lands on all alike
            if only is not None and name != only:
                continue
            time.sleep(0.05)  # let the previous engine's background threads (ArcticDB's) go quiet first
            conn.send((op, tag))
            samples[name].setdefault(op, []).append(conn.recv())

    for run in range(args.runs):
        each("write", f"bulk{run}")
        each("write_no_fsync", f"bulk_no_fsync{run}", only="kitefetch")
        each("read", "bulk0")
        each("appends", f"appends{run}")
        each("appends_no_fsync", f"appends_no_fsync{run}", only="kitefetch")
        print(f"  round {run + 1}/{args.runs} done", flush=True)
    each("big", "big")
    for _ in range(args.runs):
        each("range", "big")
    each("size", "bulk0")
    results: dict[str, dict[str, float | None]] = {}
    rss = {}
    for name, (conn, process) in workers.items():
        conn.send(None)
        rss[name] = conn.recv()
        process.join()
        med = {k: statistics.median(v) for k, v in samples[name].items()}
        results[name] = {"write": args.rows / med["write"], "read": args.rows / med["read"],
                         "appends": len(chunks) * 1000 / med["appends"], "range_ms": med["range"] * 1000,
                         "size": samples[name]["size"][0]}
        if "appends_no_fsync" in med:
            results[name]["appends_no_fsync"] = len(chunks) * 1000 / med["appends_no_fsync"]
            results[name]["write_no_fsync"] = args.rows / med["write_no_fsync"]
    ours, base = results["kitefetch"], results["HDFStore"]
    arctic = results.get("ArcticDB", {})

    def m(v: float | None) -> str:
        return "-" if v is None else f"{v / 1e6:.2f}M/s"

    def ratio(a: float | None, b: float | None) -> str:
        return "-" if not a or not b else f"{a / b:.2f}x"

    rows = [
        ["bulk write (rows/s)", m(ours["write"]), m(base["write"]), m(arctic.get("write")),
         ratio(ours["write"], base["write"]), ratio(ours["write"], arctic.get("write"))],
        ["  the same, no fsync", m(ours["write_no_fsync"]), "", "", ratio(ours["write_no_fsync"], base["write"]),
         ratio(ours["write_no_fsync"], arctic.get("write"))],
        ["full read (rows/s)", m(ours["read"]), m(base["read"]), m(arctic.get("read")),
         ratio(ours["read"], base["read"]), ratio(ours["read"], arctic.get("read"))],
        [f"{args.appends} x 1,000-row appends", m(ours["appends"]), m(base["appends"]), m(arctic.get("appends")),
         ratio(ours["appends"], base["appends"]), ratio(ours["appends"], arctic.get("appends"))],
        ["  the same, no fsync", m(ours["appends_no_fsync"]), "", "", ratio(ours["appends_no_fsync"], base["appends"]),
         ratio(ours["appends_no_fsync"], arctic.get("appends"))],
        [f"first/last ts, {args.range_rows / 1e6:.0f}M rows", f"{ours['range_ms']:.3f} ms",
         f"{base['range_ms']:.3f} ms", "-" if not arctic else f"{arctic['range_ms']:.3f} ms",
         ratio(base["range_ms"], ours["range_ms"]), ratio(arctic.get("range_ms"), ours["range_ms"])],
        [f"file size, {args.rows / 1e6:.0f}M rows", f"{ours['size'] / 1e6:.1f} MB", f"{base['size'] / 1e6:.1f} MB",
         "-", f"{ours['size'] / base['size']:.2f}x of HDFStore", "-"],
    ]
    table(f"Store, {args.rows:,} minute rows, medians of {args.runs} runs (ratios: higher is better for kitefetch; "
          "size: lower is better)",
          ["", "kitefetch", "HDFStore zstd5", "ArcticDB", "vs HDFStore", "vs ArcticDB"], rows)
    print(f"  fsync cost: {args.appends} appends {ours['appends_no_fsync'] / 1e6:.2f}M -> {ours['appends'] / 1e6:.2f}M "
          f"rows/s durable ({(1 / ours['appends'] - 1 / ours['appends_no_fsync']) * 1e6:.2f} ms more per commit)")
    print("  peak RSS (MB): " + ", ".join(f"{name} {mb:.0f}" for name, mb in rss.items()))
    print(f"  pandas.read_hdf on ours: "
          f"{len(pd.read_hdf(root / 'kitefetch' / 'bulk0.h5', '/NSE/BENCH/minute')):,} rows")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
