"""A `kitefetch sandbox` process and `kitefetch serve` processes wired to it, on temp data dirs."""

from __future__ import annotations

import pytest

from tests.integration import secret_watch
from tests.integration.conftest import stats  # noqa: F401 - re-exported for the tests here
from tests.integration.processes import Process, free_port

SECRETS = ("sandbox-secret", "sandbox-token")


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

