"""Kite's 3 historical requests per second, enforced over a sliding window and visible in stats."""

from __future__ import annotations

import threading

from kiteconnect import KiteConnect
from kiteconnect import exceptions as kex

from kite_sandbox import start_sandbox

from .conftest import RELIANCE, fast_config


def test_ten_at_once_admits_exactly_three() -> None:
    with start_sandbox(fast_config(rate_limit=3)) as sandbox:
        clients = [KiteConnect(sandbox.config.api_key, access_token=sandbox.config.access_token, root=sandbox.url)
                   for _ in range(10)]
        barrier = threading.Barrier(10)
        outcomes: list[str] = []
        lock = threading.Lock()

        def fire(kite: KiteConnect) -> None:
            barrier.wait()
            try:
                kite.historical_data(RELIANCE, "2026-11-02", "2026-11-06", "day")
                result = "ok"
            except kex.NetworkException as exc:
                result = f"throttled-{exc.code}"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=fire, args=(k,)) for k in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        stats = sandbox.stats()
    assert sorted(outcomes) == ["ok"] * 3 + ["throttled-429"] * 7
    assert stats["historical"] == 10 and stats["throttled"] == 7
    assert stats["max_admitted_per_second"] == 3


def test_other_endpoints_have_their_own_limit() -> None:
    with start_sandbox(fast_config(other_rate_limit=2)) as sandbox:
        kite = KiteConnect(sandbox.config.api_key, access_token=sandbox.config.access_token, root=sandbox.url)
        codes = []
        for _ in range(4):
            try:
                kite.profile()
                codes.append(200)
            except kex.NetworkException as exc:
                codes.append(exc.code)
        assert codes[:2] == [200, 200] and 429 in codes[2:]
