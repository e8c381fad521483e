"""Shared integration fixtures: a real sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import pytest
import requests

from kite_sandbox import SandboxConfig, start_sandbox
from tests.integration import secret_watch
from tests.integration.processes import Process, free_port


@pytest.fixture(scope="session")
def kite_sandbox():
    sandbox = start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, rate_limit=3, stall_seconds=3))
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory):
    port = free_port()
    logs = tmp_path_factory.mktemp("logs")
    api_port = free_port()
    proc = Process(["sandbox", "--port", str(port), "--cost-ms-per-1000-candles", "0",
                    "--redirect-url", f"http://127.0.0.1:{api_port}/auth/callback"],
                   {}, f"http://127.0.0.1:{port}/__sandbox/stats", logs / "sandbox.log")
    proc.url = f"http://127.0.0.1:{port}"
    proc.api_port = api_port
    yield proc
    proc.stop()


def stats(sandbox) -> dict:
    return requests.get(f"{sandbox.url}/__sandbox/stats", timeout=5).json()


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_response():
    """Record every response of kitefetch's servers in this session; none may contain a secret."""
    secret_watch.start()
    yield
    found = secret_watch.leaks()
    assert not found, found[:5]
    print(f"secret grep: {len(secret_watch.RESPONSES)} kitefetch responses checked, no secret found")


def _serve(sandbox, data_dir, port: int, log, token: str | None) -> Process:
    env = {
        "KITE_API_KEY": "sandbox",
        "KITE_API_SECRET": "sandbox-secret",
        "KITE_ACCESS_TOKEN": token or "",
        "KITE_API_ROOT": sandbox.url,
        "KITE_LOGIN_URL": f"{sandbox.url}/connect/login",
        "KITEFETCH_DATA_DIR": str(data_dir),
        "FLASK_SECRET_KEY": "integration-test-secret",
        "FLASK_ENV": "production",
    }
    proc = Process(["serve", "--port", str(port)], env, f"http://127.0.0.1:{port}/healthz", log)
    proc.base = f"http://127.0.0.1:{port}"
    secret_watch.KITEFETCH_BASES.add(proc.base)
    proc.api = f"{proc.base}/api/data"
    proc.data_dir = data_dir
    return proc


@pytest.fixture(scope="session")
def api(sandbox_process, tmp_path_factory):
    """An API holding the sandbox's fixed token through KITE_ACCESS_TOKEN."""
    data_dir = tmp_path_factory.mktemp("data")
    proc = _serve(sandbox_process, data_dir, free_port(), tmp_path_factory.mktemp("logs") / "api.log",
                  "sandbox-token")
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def tokenless_api(sandbox_process, tmp_path_factory):
    """An API with no token at all, on the port the sandbox's login page redirects to."""
    data_dir = tmp_path_factory.mktemp("data-login")
    proc = _serve(sandbox_process, data_dir, sandbox_process.api_port,
                  tmp_path_factory.mktemp("logs") / "api-login.log", None)
    yield proc
    proc.stop()
