"""`kitefetch track`, `track-options`, `track-futures`, `tracked` and `untrack` as a user runs them, against a
sandbox process: the same answers as the API (`--json`), the same refusals as exit codes."""

from __future__ import annotations

import json

from tests.integration.cli.test_cli import cli_env, run  # noqa: F401 - cli_env is a fixture


def test_track_list_and_untrack(cli_env):  # noqa: F811
    series = run(["track", "nse", "tcs", "--intervals", "day,minute", "--from", "2015-01-01", "--json"], cli_env)
    assert series.returncode == 0, series.stderr
    tcs = json.loads(series.stdout)["tracked"]
    assert (tcs["exchange"], tcs["symbol"], tcs["intervals"], tcs["from_date"]) == (
        "NSE", "TCS", ["day", "minute"], "2015-01-01")
    chain = run(["track-options", "NFO", "NIFTY", "--expiries", "2", "--strikes", "10", "--intervals", "minute"],
                cli_env)
    assert chain.returncode == 0, chain.stderr
    assert chain.stdout.startswith("tracked: ") and ("options of NFO NIFTY (2 nearest expiries, 10 strikes each side "
                                                     "of NSE:NIFTY 50's last close, CE and PE)  minute") in chain.stdout
    futures = run(["track-futures", "bfo", "SENSEX", "--intervals", "day", "--from", "2025-01-01", "--json"], cli_env)
    assert futures.returncode == 0, futures.stderr
    sensex = json.loads(futures.stdout)["tracked"]
    assert (sensex["rule"], sensex["exchange"], sensex["underlying"]) == ("futures", "BFO", "SENSEX")

    listed = json.loads(run(["tracked", "--json"], cli_env).stdout)
    assert listed["success"] is True and [e["id"] for e in listed["tracked"]][0::2] == [tcs["id"], sensex["id"]]
    text = run(["tracked"], cli_env).stdout.splitlines()
    assert text[0] == f"{tcs['id']}  NSE:TCS  day, minute  from 2015-01-01"
    assert text[2] == f"{sensex['id']}  futures of BFO SENSEX  day  from 2025-01-01"
    assert "from each contract's first candle" in text[1]

    gone = run(["untrack", tcs["id"]], cli_env)
    assert gone.returncode == 0 and gone.stdout.strip() == (
        f"untracked: {tcs['id']}  NSE:TCS  day, minute  from 2015-01-01 (its stored candles stay)")
    assert [e["id"] for e in json.loads(run(["tracked", "--json"], cli_env).stdout)["tracked"]] == [
        e["id"] for e in listed["tracked"][1:]]


def test_refusals_are_exit_codes(cli_env):  # noqa: F811
    assert run(["tracked"], cli_env).stdout.strip() == "nothing is tracked"
    assert run(["track", "NSE", "TCS", "--intervals", "day", "--from", "2020-01-01"], cli_env).returncode == 0
    twice = run(["track", "NSE", "TCS", "--intervals", "minute,day", "--from", "2020-01-01"], cli_env)
    assert twice.returncode == 1 and "error (conflict): NSE:TCS at day is already tracked" in twice.stderr
    unknown = run(["track-options", "NFO", "NOSUCHCO", "--expiries", "1", "--strikes", "1", "--intervals", "day",
                   "--json"], cli_env)
    assert unknown.returncode == 1 and json.loads(unknown.stdout)["error_type"] == "not_found"
    bounds = run(["track-options", "NFO", "NIFTY", "--expiries", "7", "--strikes", "1", "--intervals", "day"],
                 cli_env)
    assert bounds.returncode == 2 and "expiries: Must be greater than or equal to 1" in bounds.stderr
    bad_interval = run(["track", "NSE", "INFY", "--intervals", "day,7minute", "--from", "2020-01-01"], cli_env)
    assert bad_interval.returncode == 2 and "intervals.1: must be one of" in bad_interval.stderr
    assert run(["untrack", "nosuchid"], cli_env).returncode == 1
    assert run(["track-options", "NSE", "NIFTY", "--expiries", "1", "--strikes", "1", "--intervals", "day"],
               cli_env).returncode == 2  # argparse: NFO or BFO


def test_sync_runs_in_the_foreground_and_a_second_sync_sends_nothing(cli_env, sandbox_process):  # noqa: F811
    from datetime import timedelta

    import requests

    from adapters.inbound.schemas import today_ist

    start = str(today_ist() - timedelta(days=200))
    tcs = json.loads(run(["track", "NSE", "TCS", "--intervals", "day", "--from", start, "--json"], cli_env).stdout)
    run(["track", "NSE", "INFY", "--intervals", "day", "--from", start], cli_env)
    first = run(["sync"], cli_env)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[-1].startswith("sync completed: 2 of 2 series updated, ") and " 0 failed" in lines[-1], lines
    assert any(line.startswith("NSE:TCS:day: done, ") for line in lines)

    def historical() -> int:
        return requests.get(f"{sandbox_process.url}/__sandbox/stats", timeout=5).json()["routes"]["historical"]

    before = historical()
    second = json.loads(run(["sync", "--json"], cli_env).stdout)
    assert (second["status"], second["requests"], second["candles_added"], second["series"]) == ("completed", 0, 0, 2)
    assert second["items"] == [] and sorted(second["up_to_date_series"]) == ["NSE:INFY:day", "NSE:TCS:day"]
    assert historical() == before
    only = json.loads(run(["sync", "--only", tcs["tracked"]["id"], "--json"], cli_env).stdout)
    assert only["items"] == [] and only["up_to_date_series"] == ["NSE:TCS:day"]  # planned: nothing due, no item
    text = run(["sync"], cli_env)
    assert text.returncode == 0 and text.stdout.splitlines()[-2:] == [
        "2 series already up to date", "sync completed: 0 of 2 series updated, 0 candles added, 0 requests, 0 failed"]
    unknown = run(["sync", "--only", "nosuch"], cli_env)
    assert unknown.returncode == 1 and "not_found" in unknown.stderr
