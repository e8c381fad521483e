"""What the CLI does before its answer: queries start light and say what the container would, reads create nothing,
and `serve` says at once that its port is taken."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date

import pytest
from structlog.testing import capture_logs

from adapters.inbound.cli.main import dispatch, parse
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments import listing_file
from adapters.outbound.tracked_file import TrackedFile
from application.tracked import RuleKind, TrackedRule, TrackedSeries
from bootstrap.container import build_container
from bootstrap.queries import LocalQueries
from bootstrap.settings import Settings
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.contracts.candle_store import JAN, RELIANCE, candles
from tests.fakes.market import equity, future
from tests.integration.processes import KITEFETCH, free_port

QUERIES = [
    ["range", "NSE", "RELIANCE", "day"], ["range", "nse", " reliance ", "day", "--json"],
    ["range", "NSE", "NOPE", "day"], ["range", "XNSE", "RELIANCE", "day"], ["db-info", "EQUITY"],
    ["db-info", "derivatives", "--json"],
    ["lookup", "NSE", "reliance"], ["lookup", "NFO", "NIFTY24JUNFUT", "--json"], ["lookup", "NSE", "NOPE", "--json"],
    ["instruments", "NSE", "--limit", "1"], ["instruments", "NFO", "--json"], ["tracked"], ["tracked", "--json"],
]
# `gaps` asks the trading calendar, which brings pandas and structlog (exchange-calendars): still lighter than the
# container (bootstrap/queries.py), but not held to HEAVY.
CALENDAR_QUERIES = [["gaps", "NSE", "RELIANCE", "day"],
                    ["gaps", "nse", "reliance", "day", "--json", "--from", "2024-01-20"],
                    ["gaps", "NSE", "RELIANCE", "day", "--to", "2023-12-29"], ["gaps", "NSE", "NOPE", "day"],
                    ["gaps", "NSE", "RELIANCE", "day", "--from", "2024-02-30"]]
HEAVY = ("flask", "kiteconnect", "pandas", "structlog", "dependency_injector", "marshmallow", "blosc2", "hdf5plugin")


@pytest.fixture
def data_dir(tmp_path):
    """A stored series and today's instrument lists, as fetches and the cache leave them."""
    data = tmp_path / "data"
    Hdf5SegmentStore(data / "EQUITY.h5", Segment.EQUITY).write(RELIANCE, candles(JAN), [JAN])
    listed = {Exchange.NSE: [equity("RELIANCE", 738561), equity("INFY", 408065)],
              Exchange.NFO: [future("NIFTY24JUNFUT", 256002, date(2024, 6, 27))]}
    for exchange, live in listed.items():
        listing = listing_file.Listing(int(time.time()), live, {i.tradingsymbol: i for i in live})
        listing_file.save(listing_file.path_of(data / "instruments", exchange), listing)
    TrackedFile(data / "tracked.json").update(lambda t: t.add(TrackedSeries(
        "t1", Exchange.NSE, "RELIANCE", (Interval.DAY,), date(2015, 1, 1))).add(TrackedRule(
            "r1", RuleKind.OPTIONS, Exchange.NFO, "NIFTY", (Interval.MINUTE,), 2, 10)))
    return data


@pytest.mark.parametrize("argv", QUERIES + CALENDAR_QUERIES, ids=" ".join)
def test_a_query_answers_as_the_container_does(data_dir, argv, capsys):
    settings = Settings(data_dir=data_dir)
    args = parse(argv)
    with capture_logs():  # the calendar's log line: whatever this process configured, not the answer
        light = dispatch(LocalQueries(settings, lambda: pytest.fail("today's files answer this")), args)
        said = capsys.readouterr()
        full = dispatch(build_container(settings), args)
    assert (light, said.out, said.err) == (full, *capsys.readouterr())


_PROBE = """
import json, sys
from bootstrap.cli import main
codes = [main(argv) for argv in json.loads(sys.argv[1])]
print(json.dumps({"codes": codes, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}), file=sys.stderr)
"""


def test_queries_import_no_web_framework_broker_client_pandas_or_logging(data_dir, tmp_path):
    commands = [*QUERIES, ["--help"], ["--version"], ["range"]]
    env = {**os.environ, "KITEFETCH_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(commands), *HEAVY], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    probe = json.loads(result.stderr.splitlines()[-1])
    assert probe["codes"] == [0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2]
    assert probe["loaded"] == []


def _tree(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_reads_of_a_missing_data_dir_create_nothing_and_answer_as_for_an_empty_one(tmp_path):
    run = tmp_path / "cwd"
    run.mkdir()
    env = {**os.environ, "KITEFETCH_DATA_DIR": str(tmp_path / "missing" / "hdf5"), "KITE_ACCESS_TOKEN": "",
           "KITE_API_KEY": "", "KITE_API_ROOT": "http://127.0.0.1:9"}
    before = _tree(tmp_path)

    def kitefetch(*argv: str, data_dir=None) -> subprocess.CompletedProcess:
        return subprocess.run([KITEFETCH, *argv], env={**env, **({"KITEFETCH_DATA_DIR": data_dir} if data_dir else {})},
                              cwd=run, capture_output=True, text=True, timeout=60)

    missing = kitefetch("db-info", "EQUITY", "--json")
    assert missing.returncode == 0, missing.stderr
    assert kitefetch("db-info", "DERIVATIVES").returncode == 0
    assert "no existing data" in kitefetch("range", "NSE", "RELIANCE", "day").stdout
    assert kitefetch("lookup", "NSE", "RELIANCE").returncode == 3  # no cached list: Kite, without a token
    assert kitefetch("instruments", "NFO").returncode == 3
    assert "No stored series" in kitefetch("gaps", "NSE", "RELIANCE", "day").stderr
    assert _tree(tmp_path) == before
    (tmp_path / "empty").mkdir()
    empty = json.loads(kitefetch("db-info", "EQUITY", "--json", data_dir=str(tmp_path / "empty")).stdout)
    body = json.loads(missing.stdout)
    assert (body["exists"], body["datasets"], body["total_datasets"]) == (False, [], 0)
    assert {**body, "file_path": None} == {**empty, "file_path": None}


def test_serve_on_a_taken_port_says_so_at_once(tmp_path):
    port = free_port()
    with socket.create_server(("127.0.0.1", port)):
        started = time.monotonic()
        result = subprocess.run([KITEFETCH, "serve", "--port", str(port)], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60,
                                env={**os.environ, "KITEFETCH_DATA_DIR": str(tmp_path / "data")})
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert result.stderr.strip() == (f"kitefetch serve: port {port} on 127.0.0.1 is already in use (another "
                                      "server?): choose another with --port")
    assert elapsed < 4  # gunicorn alone retries the bind for 5 s
