"""`kitefetch serve` with KITEFETCH_SYNC_AT, against the sandbox: a run missed while down is caught up at start, once
across restarts, and a run without a token waits as `needs_login` and starts by itself after a login."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from adapters.inbound.schemas import today_ist
from tests.integration.cli.test_cli import _redirect_after_login, run
from tests.integration.conftest import _serve
from tests.integration.processes import free_port


@pytest.fixture
def tracked_dir(sandbox_process, tmp_path):
    """A data dir tracking TCS (added through a server holding the env's token, which it does not persist)."""
    data_dir = tmp_path / "data"
    server = _serve(sandbox_process, data_dir, free_port(), tmp_path / "track.log", "sandbox-token")
    try:
        body = {"exchange": "NSE", "symbol": "TCS", "intervals": ["day"],
                "from_date": str(today_ist() - timedelta(days=60))}
        assert requests.post(f"{server.api}/tracked", json=body, timeout=60).status_code == 201
    finally:
        server.stop()
    return data_dir


@pytest.fixture
def scheduled(tracked_dir, monkeypatch):
    """The data dir, and the environment of a server syncing at 00:01 (set after tracking: that server has none)."""
    # 00:01 IST has passed today (or on the last trading day): its run is owed at start, as if missed while down.
    monkeypatch.setenv("KITEFETCH_SYNC_AT", "00:01")
    monkeypatch.setenv("KITEFETCH_SYNC_TICK_SECONDS", "1")
    return tracked_dir


def jobs(server) -> list[dict]:
    return requests.get(f"{server.base}/api/jobs", timeout=10).json()["jobs"]


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_missed_run_is_caught_up_at_start_and_never_run_twice(scheduled, sandbox_process, tmp_path):
    tracked_dir = scheduled
    server = _serve(sandbox_process, tracked_dir, free_port(), tmp_path / "a.log", "sandbox-token")
    try:
        done = wait_for(lambda: [j for j in jobs(server) if j["status"] == "completed"])
        assert [i["symbol"] for i in done[0]["items"]] == ["TCS"] and done[0]["items"][0]["records"] > 10
    finally:
        server.stop()
    again = _serve(sandbox_process, tracked_dir, free_port(), tmp_path / "b.log", "sandbox-token")
    try:
        time.sleep(3)  # three ticks
        assert len(jobs(again)) == 1  # the slot was claimed by the first server
    finally:
        again.stop()


def test_a_run_without_a_token_waits_for_a_login_then_starts(scheduled, sandbox_process, tmp_path):
    tracked_dir = scheduled
    server = _serve(sandbox_process, tracked_dir, free_port(), tmp_path / "c.log", None)
    try:
        waiting = wait_for(lambda: [j for j in jobs(server) if j["status"] == "needs_login"])[0]
        assert waiting["items"] == []
        time.sleep(2)
        assert requests.get(f"{server.base}/api/jobs/{waiting['job_id']}", timeout=10).json()["status"] == \
            "needs_login"
        env = {**_cli_env(sandbox_process, tracked_dir), "KITE_ACCESS_TOKEN": ""}
        logged_in = run(["login"], env, stdin=_redirect_after_login(sandbox_process) + "\n")
        assert logged_in.returncode == 0, logged_in.stderr
        done = wait_for(lambda: (j := requests.get(f"{server.base}/api/jobs/{waiting['job_id']}", timeout=10).json())
                        ["status"] == "completed" and j)
        assert [i["symbol"] for i in done["items"]] == ["TCS"] and len(jobs(server)) == 1
    finally:
        server.stop()


def _cli_env(sandbox_process, data_dir) -> dict:
    import os

    return {**os.environ, "KITE_API_KEY": "sandbox", "KITE_API_SECRET": "sandbox-secret",
            "KITE_API_ROOT": sandbox_process.url, "KITE_LOGIN_URL": f"{sandbox_process.url}/connect/login",
            "KITEFETCH_DATA_DIR": str(data_dir)}
