"""A real `kitefetch serve` on a small real file system (a tmpfs) that fills up, or turns read-only, under it.

The disk fills: a fetch answers 507 saying so (how much is free, where), stores nothing, the CLI says the same;
reads keep answering with the candles stored before; freed space, the same fetch succeeds. The data dir turns
read-only: a fetch answers 503 naming it, reads keep answering; started on one, serve says so in one line.
"""

from __future__ import annotations

import os
import subprocess

import pandas as pd
import pytest
import requests

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.market import Segment
from tests.contracts.candle_store import JAN, RELIANCE, candles
from tests.integration.conftest import _serve
from tests.integration.processes import KITEFETCH, free_port
from tests.integration.small_disk import fill, remount, tmpfs

FIRST_HALF = {"symbol": "RELIANCE", "from_date": "2024-01-01", "to_date": "2024-06-30", "interval": "day"}
SECOND_HALF = {**FIRST_HALF, "from_date": "2024-07-01", "to_date": "2024-12-31"}
NEW_SERIES = {"symbol": "TCS", "from_date": "2024-01-01", "to_date": "2024-03-31", "interval": "15minute"}


@pytest.fixture
def disk(tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as where:
        yield where


@pytest.fixture
def server(sandbox_process, disk, tmp_path):
    proc = _serve(sandbox_process, disk / "data", free_port(), tmp_path / "serve.log", "sandbox-token")
    yield proc
    proc.stop()


def post(server, route: str, body: dict) -> requests.Response:
    return requests.post(f"{server.api}/{route}", json=body, timeout=120)


def stored(server) -> dict:
    return requests.get(f"{server.api}/candles/NSE/RELIANCE/day", timeout=30).json()


def cli(server, sandbox, *args: str) -> subprocess.CompletedProcess:
    """A `kitefetch` command against the server's data dir and sandbox (and nothing of this process's set-up)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KITE", "FLASK"))}
    env.update({"KITEFETCH_DATA_DIR": str(server.data_dir), "KITE_API_KEY": "sandbox", "KITE_API_ROOT": sandbox.url,
                "KITE_API_SECRET": "sandbox-secret", "KITE_ACCESS_TOKEN": "sandbox-token"})
    return subprocess.run([KITEFETCH, *args], env=env, cwd=server.data_dir.parent.parent, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_full_disk_is_507_reads_still_answer_and_freed_space_makes_the_same_fetch_succeed(server, disk,
                                                                                           sandbox_process):
    assert "data_dir_low_on_space" in server.output()  # 8 MB free is below the 1024 MB default
    assert post(server, "fetch-equity", FIRST_HALF).json()["records"] > 100
    before = stored(server)
    filler = fill(disk)

    for body in (SECOND_HALF, NEW_SERIES):
        response = post(server, "fetch-equity", body)
        assert response.status_code == 507, response.text
        answer = response.json()
        assert answer["success"] is False and answer["error_type"] == "storage"
        assert answer["error"].startswith(f"disk full: {server.data_dir} has 0 MB free; free some space there")
    job = requests.post(f"{server.base}/api/jobs", json={"requests": [{"segment": "EQUITY", **NEW_SERIES}]},
                        timeout=30)
    assert (job.status_code, job.json()["error_type"]) == (507, "storage")
    refused = cli(server, sandbox_process, "fetch", "equity", "TCS", "--from", "2024-01-01", "--to", "2024-03-31")
    said = refused.stderr.splitlines()
    assert refused.returncode == 1 and said[-1].startswith(f"error (storage): disk full: {server.data_dir} has ")
    assert "errno=ENOSPC" in said[0] and len(said) == 2  # the log line keeps the OS's words; no traceback

    # Reads keep answering, with exactly what was stored before; nothing half written is left behind.
    assert stored(server) == before
    assert requests.get(f"{server.api}/existing-range/NSE/TCS/15minute", timeout=30).json()["rows"] == 0
    assert requests.get(f"{server.api}/database-info/EQUITY", timeout=30).status_code == 200
    dashboard = requests.get(server.base + "/", timeout=30)
    assert dashboard.status_code == 200 and 'id="low-space"' in dashboard.text
    leftovers = [p.name for p in server.data_dir.iterdir() if p.name.endswith(("-journal", ".tmp", ".new"))]
    assert leftovers == []
    assert len(pd.read_hdf(server.data_dir / "EQUITY.h5", "/NSE/RELIANCE/day")) == len(before["rows"])
    assert "Traceback" not in server.output()

    filler.unlink()
    again = post(server, "fetch-equity", SECOND_HALF)
    assert again.status_code == 200 and again.json()["records"] > 100
    after = stored(server)
    assert after["rows"][:len(before["rows"])] == before["rows"]
    assert post(server, "fetch-equity", NEW_SERIES).status_code == 200
    assert pd.read_hdf(server.data_dir / "EQUITY.h5", "/NSE/RELIANCE/day").index.is_monotonic_increasing


def _store_reliance(data_dir) -> int:
    """A stored series, written the way a fetch writes it, before the server starts."""
    stored = candles(JAN)
    Hdf5SegmentStore(data_dir / "EQUITY.h5", Segment.EQUITY).write(RELIANCE, stored, [JAN])
    return len(stored)


def _refused_as_read_only(response: requests.Response, data_dir) -> None:
    assert response.status_code == 503, response.text
    answer = response.json()
    assert answer["error_type"] == "storage" and answer["success"] is False
    assert answer["error"].startswith(f"{data_dir} is on a read-only file system: remount it read-write")


def test_a_data_dir_that_turns_read_only_is_503_naming_it_and_reads_still_answer(sandbox_process, disk, tmp_path):
    rows = _store_reliance(disk / "data")
    server = _serve(sandbox_process, disk / "data", free_port(), tmp_path / "serve.log", "sandbox-token")
    try:
        remount(disk, read_only=True)  # before the first fetch: no file is open for writing yet
        _refused_as_read_only(post(server, "fetch-equity", SECOND_HALF), server.data_dir)
        assert len(stored(server)["rows"]) == rows  # reads take their shared lock on a read-only lock file
        assert requests.get(server.base + "/", timeout=30).status_code == 200
        remount(disk, read_only=False)
        assert post(server, "fetch-equity", SECOND_HALF).status_code == 200
    finally:
        server.stop()
        remount(disk, read_only=False)


def test_started_on_a_read_only_data_dir_serve_says_so_in_one_line_and_serves_reads(sandbox_process, disk, tmp_path):
    data_dir = disk / "data"
    rows = _store_reliance(data_dir)
    remount(disk, read_only=True)
    server = _serve(sandbox_process, data_dir, free_port(), tmp_path / "serve.log", "sandbox-token")
    try:
        said = [line for line in server.output().splitlines() if "read-only" in line]
        assert said == [f"kitefetch serve: {data_dir} is on a read-only file system: remount it read-write (or "
                        "point KITEFETCH_DATA_DIR elsewhere) to store anything; serving reads only until then"]
        assert len(stored(server)["rows"]) == rows
        _refused_as_read_only(post(server, "fetch-equity", SECOND_HALF), data_dir)
        assert "Traceback" not in server.output()
    finally:
        server.stop()
    refused = cli(server, sandbox_process, "fetch", "equity", "RELIANCE", "--from", "2024-07-01", "--to", "2024-07-31")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [f"error (storage): {data_dir} is on a read-only file system: remount it "
                                           "read-write (or point KITEFETCH_DATA_DIR elsewhere) to store anything"]
    demo = subprocess.run([KITEFETCH, "demo", "--once", "--api-port", str(free_port()), "--sandbox-port",
                           str(free_port())], env={**os.environ, "KITEFETCH_DATA_DIR": str(data_dir)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert demo.returncode == 1 and "Traceback" not in demo.stderr
    assert demo.stderr.splitlines()[-1] == (f"kitefetch demo: {data_dir} is on a read-only file system: remount it "
                                            "read-write (or point KITEFETCH_DATA_DIR elsewhere) to store anything")
    remount(disk, read_only=False)
