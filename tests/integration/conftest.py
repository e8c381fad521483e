"""Shared integration fixtures: a real sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import pytest

from adapters.outbound.kite_sandbox import SandboxConfig, start_sandbox


@pytest.fixture(scope="session")
def kite_sandbox():
    sandbox = start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, rate_limit=3, stall_seconds=3))
    yield sandbox
    sandbox.stop()
