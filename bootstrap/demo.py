"""`kitefetch demo` (what `make run` runs): the sandbox, the API wired to it, a sample fetch, curl examples."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from datetime import date, timedelta

import requests

from adapters.inbound.cli.output import EXIT_FAILURE, EXIT_OK
from adapters.outbound.atomic_file import write_file
from adapters.outbound.storage_errors import storage_errors, unwritable_reason
from bootstrap.settings import Settings
from domain.errors import StorageFailure, StorageUnavailable

SANDBOX_KEY, SANDBOX_SECRET, SANDBOX_TOKEN = "sandbox", "sandbox-secret", "sandbox-token"


def _free(port: int) -> int:
    """`port` if it can be bound on 127.0.0.1, else an ephemeral one."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]


def _curl_examples(api: str, future: str | None) -> str:
    """Examples that fetch what the sample fetch did not (so each stores candles), each with what it answers."""
    today = date.today()
    year = {"from_date": str(today - timedelta(days=365)), "to_date": str(today), "interval": "day"}

    def post(route: str, payload: dict) -> str:
        return f"curl -s -X POST {api}/{route} -H 'Content-Type: application/json' -d '{json.dumps(payload)}'"

    lines = [
        "# a year of HDFCBANK day candles: records ~245, requests 1",
        post("fetch-equity", {"symbol": "HDFCBANK", **year}),
        "# the same again: records 0, requests 0, \"Data already up to date ...\"",
        post("fetch-equity", {"symbol": "HDFCBANK", **year}),
    ]
    if future:
        lines += [f"# 15-minute candles of the nearest NIFTY future ({future}) over 20 days, with open interest",
                  post("fetch-derivatives", {"exchange": "NFO", "symbol": future,
                                             "from_date": str(today - timedelta(days=20)), "to_date": str(today),
                                             "interval": "15minute"})]
    lines += [
        "# two items in one call: successful 2",
        post("fetch-batch", {"requests": [{"segment": "EQUITY", "symbol": "INFY", **year},
                                          {"segment": "EQUITY", "symbol": "M&M", **year}]}),
        f"curl -s '{api}/instruments/NSE?limit=5'",
        f"curl -s '{api}/lookup/NSE/M%26M'",
        f"curl -s '{api}/lookup/NSE/NIFTY%2050'",
        f"curl -s '{api}/database-info/EQUITY'",
        f"curl -s '{api}/existing-range/NSE/RELIANCE/day'",
        f"curl -s '{api}/fetches?limit=5'",
    ]
    return "\n".join(lines)


def _cli_environment(settings: Settings, sandbox_url: str) -> str:
    """The lines that point the CLI (in another terminal) at this demo: its data dir and its sandbox, not Kite."""
    return "\n".join([
        f"export KITEFETCH_DATA_DIR={settings.data_dir.resolve()}",
        f"export KITE_API_ROOT={sandbox_url} KITE_LOGIN_URL={sandbox_url}/connect/login",
        f"export KITE_API_KEY={SANDBOX_KEY} KITE_API_SECRET={SANDBOX_SECRET}",
    ]) + "\n"


def run_demo(api_port: int, sandbox_port: int, once: bool) -> int:
    from werkzeug.serving import make_server

    from adapters.outbound.token_file import TokenFile
    from application.ports import BrokerSession
    from bootstrap.app import create_app
    from bootstrap.startup import prepare_process
    from kite_sandbox import SandboxConfig, start_sandbox

    api_port = _free(api_port)
    sandbox = start_sandbox(SandboxConfig(port=_free(sandbox_port), api_key=SANDBOX_KEY, api_secret=SANDBOX_SECRET,
                                          access_token=SANDBOX_TOKEN,
                                          redirect_url=f"http://127.0.0.1:{api_port}/auth/callback"))
    # The demo keeps its own data dir: its sandbox token file must never shadow a real Kite set-up in ./data/hdf5.
    os.environ.setdefault("KITEFETCH_DATA_DIR", "./data/demo")
    os.environ.update({"KITE_API_KEY": SANDBOX_KEY, "KITE_API_SECRET": SANDBOX_SECRET,
                       "KITE_ACCESS_TOKEN": SANDBOX_TOKEN, "KITE_API_ROOT": sandbox.url,
                       "KITE_LOGIN_URL": f"{sandbox.url}/connect/login"})
    settings = Settings.from_env()
    try:  # the demo stores its token, demo.env and a sample fetch: a data dir it cannot write is one line, not a trace
        problem = unwritable_reason(settings.data_dir)
        if problem:
            raise StorageUnavailable(problem)
        TokenFile(settings.data_dir / "kite_token.json").save(BrokerSession(SANDBOX_TOKEN, "SB0001", "Sandbox User",
                                                                            ""))
    except StorageFailure as error:
        print(f"kitefetch demo: {error.message}", file=sys.stderr)
        sandbox.stop()
        return EXIT_FAILURE
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the API logs each request itself
    app = create_app(settings, log_level=logging.WARNING)
    prepare_process(app.container)  # type: ignore[attr-defined]
    server = make_server("127.0.0.1", api_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
    thread.start()
    api = f"http://127.0.0.1:{api_port}/api/data"
    print(f"Kite sandbox: {sandbox.url}  (api_key {SANDBOX_KEY}; login page {sandbox.url}/connect/login?api_key="
          f"{SANDBOX_KEY}&v=3)")
    print(f"kitefetch API: {api}   data dir: {settings.data_dir.resolve()}")
    print(f"Open http://127.0.0.1:{api_port}/ in a browser: dashboard, fetch form, charts, exports")
    environment = _cli_environment(settings, sandbox.url)
    env_file = settings.data_dir.resolve() / "demo.env"
    try:
        with storage_errors(env_file.parent):
            write_file(env_file, environment.encode())
    except StorageFailure as error:  # only a convenience: the lines are printed below all the same
        print(f"demo.env not written: {error.message}", file=sys.stderr)
    print(f"\nThe CLI, in another terminal, against this demo (also in {env_file}; `. {env_file}` sets them):\n"
          f"{environment}  .venv/bin/kitefetch range NSE RELIANCE day")
    try:
        future = _sample_fetch(api)
    except (requests.RequestException, RuntimeError) as error:
        print(f"sample fetch failed: {error}", file=sys.stderr)
        server.shutdown()
        sandbox.stop()
        return EXIT_FAILURE
    print("\nTry these (copy-paste):\n" + _curl_examples(api, future))
    if once:
        server.shutdown()
        sandbox.stop()
        return EXIT_OK
    print("\nServing until Ctrl-C ...", flush=True)
    try:
        thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        sandbox.stop()
    return EXIT_OK


def _sample_fetch(api: str) -> str | None:
    today = date.today()
    year_ago = today - timedelta(days=365)
    print("\nSample fetch:")
    for symbol in ("RELIANCE", "TCS"):
        body = _post(f"{api}/fetch-equity", {"symbol": symbol, "from_date": str(year_ago), "to_date": str(today),
                                             "interval": "day"})
        print(f"  {body['exchange']}:{body['symbol']} day {body['date_range']}: {_records(body)}")
    listed = requests.get(f"{api}/instruments/NFO", timeout=60).json().get("instruments", [])
    options = [i for i in listed if i["name"] == "NIFTY" and i["instrument_type"] == "CE"]
    futures = sorted((i["expiry"], i["tradingsymbol"]) for i in listed
                     if i["name"] == "NIFTY" and i["instrument_type"] == "FUT" and i["expiry"] >= str(today))
    if options:
        nearest_expiry = min(i["expiry"] for i in options)
        chain = [i for i in options if i["expiry"] == nearest_expiry]
        option = sorted(chain, key=lambda i: abs(i["strike"] - i["last_price"] - chain[0]["strike"]))[len(chain) // 2]
        body = _post(f"{api}/fetch-derivatives", {"exchange": "NFO", "symbol": option["tradingsymbol"],
                                                  "from_date": str(today - timedelta(days=20)), "to_date": str(today),
                                                  "interval": "15minute"})
        print(f"  NFO:{body['symbol']} 15minute {body['date_range']}: {_records(body)}")
    return futures[0][1] if futures else None


def _records(body: dict) -> str:
    return f"{body['records']} candles" + (f" ({body['message']})" if body.get("message") else "")


def _post(url: str, payload: dict) -> dict:
    response = requests.post(url, json=payload, timeout=300)
    body = response.json()
    if not body.get("success"):
        raise RuntimeError(f"{url} -> {response.status_code} {body.get('error')}")
    return body
