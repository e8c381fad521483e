"""Store benchmark: kitefetch's HDF5 segment store beside pandas HDFStore (table, blosc:zstd:5) and ArcticDB (LMDB).

Run: `make bench-store` (or `.venv/bin/python -m bench.store [--rows 5000000] [--runs 3]`).
Prints medians and ratios: bulk write, full read, 1,000 appends of 1,000 rows, first/last timestamp on a 10M-row
series, and file size. ArcticDB is a bench-only extra (`pip install -e .[bench]`); it is skipped if missing.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from bench.common import frame_to_pandas, minute_candles, peak_rss_mb, table, timed
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

    def store(self, tag: str) -> Hdf5SegmentStore:
        return Hdf5SegmentStore(self.root / f"{tag}.h5", Segment.EQUITY)

    def write(self, tag: str, frame: CandleFrame) -> None:
        self.store(tag).write(KEY, frame, [(int(frame.ts[0]), int(frame.ts[-1]))])

    def read(self, tag: str) -> int:
        return len(self.store(tag).read(KEY))

    def appends(self, tag: str, chunks: list[CandleFrame]) -> None:
        store = self.store(tag)
        for chunk in chunks:
            store.write(KEY, chunk, [(int(chunk.ts[0]), int(chunk.ts[-1]))])

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
    engines = [Ours(root / "ours"), HdfStoreTable(root / "hdfstore")]
    try:
        engines.append(Arctic(root / "arctic"))
    except ImportError:
        print("arcticdb not installed (pip install -e '.[bench]'): ArcticDB column skipped")
    for e in engines:
        e.root.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float | None]] = {}
    for e in engines:
        r: dict[str, float | None] = {}
        counter = iter(range(10_000))
        r["write"] = args.rows / timed(lambda e=e, c=counter: e.write(f"bulk{next(c)}", frame), args.runs)
        r["read"] = args.rows / timed(lambda e=e: e.read("bulk0"), args.runs)
        r["size"] = e.size("bulk0")
        started = time.perf_counter()
        e.appends("appends", chunks)
        r["appends"] = len(chunks) * 1000 / (time.perf_counter() - started)
        e.write("big", big)
        assert e.first_last("big") == (int(big.ts[0]), int(big.ts[-1]))
        r["range_ms"] = timed(lambda e=e: e.first_last("big"), max(5, args.runs * 5)) * 1000
        results[e.name] = r
        print(f"  {e.name}: done", flush=True)
    ours, base = results["kitefetch"], results["HDFStore"]
    arctic = results.get("ArcticDB", {})

    def m(v: float | None) -> str:
        return "-" if v is None else f"{v / 1e6:.2f}M/s"

    def ratio(a: float | None, b: float | None) -> str:
        return "-" if not a or not b else f"{a / b:.2f}x"

    rows = [
        ["bulk write (rows/s)", m(ours["write"]), m(base["write"]), m(arctic.get("write")),
         ratio(ours["write"], base["write"]), ratio(ours["write"], arctic.get("write"))],
        ["full read (rows/s)", m(ours["read"]), m(base["read"]), m(arctic.get("read")),
         ratio(ours["read"], base["read"]), ratio(ours["read"], arctic.get("read"))],
        [f"{args.appends} x 1,000-row appends", m(ours["appends"]), m(base["appends"]), m(arctic.get("appends")),
         ratio(ours["appends"], base["appends"]), ratio(ours["appends"], arctic.get("appends"))],
        [f"first/last ts, {args.range_rows / 1e6:.0f}M rows", f"{ours['range_ms']:.3f} ms",
         f"{base['range_ms']:.3f} ms", "-" if not arctic else f"{arctic['range_ms']:.3f} ms",
         ratio(base["range_ms"], ours["range_ms"]), ratio(arctic.get("range_ms"), ours["range_ms"])],
        [f"file size, {args.rows / 1e6:.0f}M rows", f"{ours['size'] / 1e6:.1f} MB", f"{base['size'] / 1e6:.1f} MB",
         "-", f"{ours['size'] / base['size']:.2f}x of HDFStore", "-"],
    ]
    table(f"Store, {args.rows:,} minute rows, medians of {args.runs} runs (ratios: higher is better for kitefetch; "
          "size: lower is better)",
          ["", "kitefetch", "HDFStore zstd5", "ArcticDB", "vs HDFStore", "vs ArcticDB"], rows)
    print(f"  peak RSS {peak_rss_mb():.0f} MB; pandas.read_hdf on ours: "
          f"{len(pd.read_hdf(root / 'ours' / 'bulk0.h5', '/NSE/BENCH/minute')):,} rows")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
