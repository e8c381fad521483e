"""The fetch log file: typed records in and out, lines from before they were typed, torn lines skipped."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from adapters.outbound.fetch_log import KEEP, TRIM_AT, FetchLogFile
from application.fetch_record import FetchRecord, FetchStatus

OLD_LINE = (b'{"time":1732961100,"exchange":"NSE","symbol":"INFY","interval":"day","records":21,"rejected":0,'
            b'"requests":1,"elapsed_seconds":0.412,"status":"ok"}\n')


def failed(symbol: str, time: int = 1732962000) -> FetchRecord:
    return FetchRecord(time, None, symbol, "minute", status=FetchStatus.FAILED, error_type="not_found",
                       error=f"Symbol {symbol!r} not found on NSE or BSE")


def test_old_lines_read_next_to_new_ones_newest_first(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl")
    log.path.write_bytes(OLD_LINE)
    log.record(failed("NOPE"))
    newest, oldest = log.recent()
    assert newest == failed("NOPE") and newest.status is FetchStatus.FAILED
    assert oldest == FetchRecord(1732961100, "NSE", "INFY", "day", 21, 0, 1, 0.412, FetchStatus.OK, None, None)


def test_torn_and_foreign_lines_are_skipped(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl")
    log.record(failed("A"))
    with open(log.path, "ab") as handle:
        handle.write(b'{"time":17329\n[1,2]\n{"time":"noon","symbol":"X","interval":"day"}\n'
                     b'{"time":1,"symbol":"X","interval":"day","status":"weird"}\n')
    log.record(failed("B"))
    assert [r.symbol for r in log.recent()] == ["B", "A"]


def test_limit_and_trimming_keep_the_newest(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl", durable=False)
    total = TRIM_AT // 150  # lines of ~200 bytes: past the trim point
    for n in range(total):
        log.record(failed(f"S{n}", time=n))
    assert len(log.path.read_bytes().splitlines()) < total
    assert log.path.stat().st_size <= TRIM_AT
    assert [r.time for r in log.recent(3)] == [total - 1, total - 2, total - 3]
    assert len(log.recent(KEEP)) == KEEP


def _append_many(path: str, writer: int, count: int, step: Any) -> None:
    log = FetchLogFile(Path(path), durable=False)
    for n in range(count):
        if n % 10 == 0:
            step.wait(60)  # in step: one writer far ahead (a loaded machine) would see the other's lines all trimmed
        log.record(failed(f"W{writer}", time=n))


def test_two_processes_appending_through_trims_lose_no_line(tmp_path):
    """A line appended by one process while another trims must not vanish with the replaced file: what is kept
    of each writer is an unbroken run of its newest lines."""
    path = tmp_path / "fetch-log.jsonl"
    count = TRIM_AT // 150
    ctx = multiprocessing.get_context("fork")
    step = ctx.Barrier(2)
    writers = [ctx.Process(target=_append_many, args=(str(path), w, count, step)) for w in (1, 2)]
    for proc in writers:
        proc.start()
    for proc in writers:
        proc.join(120)
        assert proc.exitcode == 0
    kept = FetchLogFile(path).recent(KEEP * 10)
    for writer in ("W1", "W2"):
        times = sorted(r.time for r in kept if r.symbol == writer)
        assert times and times == list(range(times[0], count)), f"{writer} lost lines"


def test_long_errors_are_cut(tmp_path):
    record = FetchRecord(1, "NSE", "X", "day", status=FetchStatus.FAILED, error_type="api", error="x" * 5000)
    assert len(record.error) == 300 and record.error.endswith("…")


def test_out_of_session_days_round_trip_as_the_api_spells_them(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl")
    record = FetchRecord(1738400000, "NSE", "INFY", "minute", 0, 375, 1, 0.2,
                         out_of_session=((date(2025, 2, 1), 375),))
    log.record(record)
    assert b'"out_of_session":[{"date":"2025-02-01","candles":375}]' in log.path.read_bytes()
    assert log.recent() == [record]
    with open(log.path, "ab") as handle:  # a line whose list is not one is skipped, not half-read
        handle.write(b'{"time":2,"symbol":"X","interval":"day","out_of_session":[{"day":"2025-02-01"}]}\n')
    assert log.recent() == [record]
    assert FetchLogFile(tmp_path / "none.jsonl").recent() == []


@pytest.mark.timeout(30)
def test_an_entry_that_waits_too_long_for_the_lock_is_dropped_with_a_warning_not_a_hang(tmp_path):
    log = FetchLogFile(tmp_path / "fetch-log.jsonl", lock_timeout=0.3)
    log.record(failed("A"))
    holder = os.open(tmp_path / ".fetch-log.jsonl.lock", os.O_RDWR)  # another process appending or trimming
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with capture_logs() as logs:
            log.record(failed("B"))
    finally:
        os.close(holder)
    assert [(e["event"], e["symbol"], e["error"]) for e in logs] == [
        ("fetch_log_entry_dropped", "B", "The fetch log (fetch-log.jsonl) is locked by another process; try again "
         "shortly")]
    log.record(failed("C"))
    assert [r.symbol for r in log.recent()] == ["C", "A"]
