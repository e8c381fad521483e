"""The `kitefetch` CLI as a user runs it: a real process against a sandbox process."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlparse

import pytest
import requests

from tests.integration.processes import KITEFETCH, free_port
from tests.integration.sandbox_login import submit_login_page


def run(args: list[str], env: dict, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([KITEFETCH, *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli_env(sandbox_process, tmp_path):
    import os

    return {**os.environ, "KITE_API_KEY": "sandbox", "KITE_API_SECRET": "sandbox-secret",
            "KITE_ACCESS_TOKEN": "sandbox-token", "KITE_API_ROOT": sandbox_process.url,
            "KITE_LOGIN_URL": f"{sandbox_process.url}/connect/login", "KITEFETCH_DATA_DIR": str(tmp_path / "data")}


def test_fetch_range_and_db_info(cli_env):
    fetched = run(["fetch", "equity", "INFY", "--from", "2025-01-01", "--to", "2025-03-31", "--json"], cli_env)
    assert fetched.returncode == 0, fetched.stderr
    body = json.loads(fetched.stdout)
    assert body["success"] and body["records"] > 50
    human = run(["fetch", "equity", "INFY", "--from", "2025-01-01", "--to", "2025-03-31"], cli_env)
    assert human.returncode == 0 and "0 new candles" in human.stdout
    stored = run(["range", "NSE", "INFY", "day"], cli_env).stdout
    assert "NSE:INFY:day: 2025-01-01 to 2025-03-28" in stored  # 2025-03-31 was an NSE holiday
    padded = json.loads(run(["range", "nse", " INFY ", "day", "--json"], cli_env).stdout)  # the one key parser
    # 61 weekdays with a session, and the Budget Saturday 2025-02-01
    assert (padded["exchange"], padded["symbol"], padded["interval"], padded["rows"]) == ("NSE", "INFY", "day", 62)
    typed = run(["range", "NSE", "infy", "day"], cli_env).stdout  # printed as stored, as lookups print Kite's
    assert "NSE:INFY:day: 2025-01-01 to 2025-03-28" in typed
    assert json.loads(run(["range", "NSE", "infy", "day", "--json"], cli_env).stdout)["symbol"] == "INFY"
    info = json.loads(run(["db-info", "EQUITY", "--json"], cli_env).stdout)
    assert info["total_datasets"] == 1 and info["exchanges"] == ["NSE"]


def test_derivatives_lookup_and_instruments(cli_env):
    listed = json.loads(run(["instruments", "NFO", "--limit", "3", "--json"], cli_env).stdout)
    assert listed["count"] == 3
    assert "256265" in run(["lookup", "NSE", "NIFTY 50"], cli_env).stdout


def test_batch_file_and_exit_codes(cli_env, tmp_path):
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"requests": [
        {"segment": "EQUITY", "symbol": "TCS", "from_date": "2025-01-01", "to_date": "2025-01-31"},
        {"segment": "EQUITY", "symbol": "NOPE", "from_date": "2025-01-01", "to_date": "2025-01-31"}]}))
    result = run(["batch", str(batch), "--json"], cli_env)
    assert result.returncode == 1
    assert json.loads(result.stdout)["successful"] == 1
    assert run(["fetch", "equity"], cli_env).returncode == 2
    bad_dates = run(["fetch", "equity", "INFY", "--from", "2025-02-30", "--to", "2025-03-31"], cli_env)
    assert bad_dates.returncode == 2 and "error (validation)" in bad_dates.stderr  # a bad value is usage too
    assert run(["lookup", "NSE", "NOPE"], cli_env).returncode == 1
    no_token = {**cli_env, "KITE_ACCESS_TOKEN": ""}
    denied = run(["fetch", "equity", "INFY", "--from", "2025-01-01", "--to", "2025-01-31"], no_token)
    assert denied.returncode == 3 and "kitefetch login" in denied.stderr


def _redirect_after_login(sandbox_process) -> str:
    page = requests.get(f"{sandbox_process.url}/connect/login?api_key=sandbox&v=3", timeout=10)
    redirect = submit_login_page(page, follow=False, timeout=10).headers["Location"]
    assert urlparse(redirect).query
    return redirect


def test_login_with_a_pasted_redirect_url(cli_env, sandbox_process):
    env = {**cli_env, "KITE_ACCESS_TOKEN": ""}
    result = run(["login"], env, stdin=_redirect_after_login(sandbox_process) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Logged in as" in result.stdout and "connect/login?api_key=sandbox" in result.stderr
    after = run(["fetch", "equity", "INFY", "--from", "2025-01-01", "--to", "2025-01-31"], env)
    assert after.returncode == 0, after.stderr


def test_login_json_prints_only_json_and_prompts_on_stderr(cli_env, sandbox_process):
    env = {**cli_env, "KITE_ACCESS_TOKEN": ""}
    result = run(["login", "--json"], env, stdin=_redirect_after_login(sandbox_process) + "\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["success"] is True  # nothing but the JSON on stdout
    assert "request_token or redirect URL" in result.stderr


def test_login_without_an_api_key_says_so(cli_env):
    result = run(["login"], {**cli_env, "KITE_API_KEY": ""}, stdin="\n")
    assert result.returncode == 1
    assert "KITE_API_KEY is not set" in result.stderr and "api_key=&" not in result.stderr + result.stdout


def test_demo_once_runs_the_whole_product(tmp_path):
    import os

    env = {**os.environ, "KITEFETCH_DATA_DIR": str(tmp_path / "demo")}
    result = run(["demo", "--once", "--api-port", str(free_port()), "--sandbox-port", str(free_port())], env,
                 timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "curl -s -X POST http://127.0.0.1:" in result.stdout
    assert "NSE:RELIANCE day" in result.stdout and "NFO:" in result.stdout
    assert (tmp_path / "demo" / "EQUITY.h5").exists() and (tmp_path / "demo" / "DERIVATIVES.h5").exists()


def test_a_calendar_file_that_does_not_parse_stops_fetch_and_serve_in_one_line(cli_env, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    bad = data_dir / "calendar.toml"
    bad.write_text('[[calendars.india.session]]\ndate = 2027-01-02\nblocks = [["09:15", "15:70"]]\n'
                   'kind = "special"\n')
    what = f"{bad}, line 3: '15:70' is not a time of day written HH:MM"
    fetched = run(["fetch", "equity", "INFY", "--from", "2025-01-01", "--to", "2025-01-31"], cli_env)
    assert fetched.returncode == 1 and fetched.stderr.strip() == f"error (configuration): {what}", fetched.stderr
    assert not (data_dir / "EQUITY.h5").exists()
    env = {**cli_env, "FLASK_SECRET_KEY": "integration-test-secret", "FLASK_ENV": "production",
           "PYTHONWARNINGS": "ignore"}
    served = subprocess.run([KITEFETCH, "serve", "--port", str(free_port())], env=env, capture_output=True,
                            text=True, timeout=60)
    assert served.returncode == 1 and served.stderr.strip() == f"configuration error: {what}", served.stderr
    assert run(["range", "NSE", "INFY", "day"], cli_env).returncode == 0  # no calendar question, no stop


def test_gaps_prints_the_apis_json_and_a_summary(cli_env, api):
    """Over the API server's own data dir: `--json` is the route's body, byte for byte once parsed."""
    fetched = requests.post(f"{api.api}/fetch-equity", timeout=120, json={
        "symbol": "ZZBADOHLC", "from_date": "2025-01-13", "to_date": "2025-01-15", "interval": "minute"})
    assert fetched.status_code == 200, fetched.text
    env = {**cli_env, "KITEFETCH_DATA_DIR": str(api.data_dir)}
    args = ["gaps", "nse", "zzbadohlc", "minute", "--from", "2025-01-13", "--to", "2025-01-17"]
    as_json = run([*args, "--json"], env)
    assert as_json.returncode == 0, as_json.stderr
    route = requests.get(f"{api.api}/gaps/NSE/ZZBADOHLC/minute?from_date=2025-01-13&to_date=2025-01-17", timeout=30)
    assert json.loads(as_json.stdout) == route.json()  # nothing else on stdout: the calendar logs to stderr
    human = run(args, env)
    assert human.returncode == 0, human.stderr
    assert human.stdout.splitlines() == [
        "NSE:ZZBADOHLC:minute 2025-01-13 to 2025-01-17: 3 of 5 session days hold candles",
        "never fetched: 2025-01-16 to 2025-01-17",
        "partial: 2025-01-13 (374 of 375), 2025-01-14 (374 of 375), 2025-01-15 (374 of 375)"]
    missing = run(["gaps", "NSE", "NEVERFETCHED", "minute"], env)
    assert missing.returncode == 1 and "error (not_found)" in missing.stderr
    bad = run(["gaps", "NSE", "ZZBADOHLC", "minute", "--from", "2025-02-30"], env)
    assert bad.returncode == 2 and "--from '2025-02-30' is not a date" in bad.stderr
    reversed_ = run(["gaps", "NSE", "ZZBADOHLC", "minute", "--from", "2025-01-15", "--to", "2025-01-13"], env)
    assert reversed_.returncode == 2 and "after" in reversed_.stderr


def test_fetch_to_today(cli_env):
    from datetime import timedelta

    from adapters.inbound.schemas import today_ist

    start = str(today_ist() - timedelta(days=20))
    fetched = run(["fetch", "equity", "INFY", "--from", start, "--to", "today", "--json"], cli_env)
    assert fetched.returncode == 0, fetched.stderr
    body = json.loads(fetched.stdout)
    assert body["records"] > 5 and body["date_range"].endswith(str(today_ist()))
    bad = run(["fetch", "equity", "INFY", "--from", start, "--to", "someday"], cli_env)
    assert bad.returncode != 0 and "today" in bad.stderr
