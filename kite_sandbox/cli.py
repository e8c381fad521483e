"""Command-line flags and the foreground runner used by `kitefetch sandbox` and `python -m`."""

from __future__ import annotations

import argparse
import datetime
import signal
import threading
from types import FrameType

from .config import SandboxConfig
from .corporate_actions import CorporateAction, load_corporate_actions
from .server import start_sandbox

_D = SandboxConfig()


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def _actions(path: str) -> tuple[CorporateAction, ...]:
    try:
        return load_corporate_actions(path)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--host", default=_D.host, help="interface to listen on")
    add("--port", type=int, default=_D.port, help="port (0 = pick a free one)")
    add("--api-key", default=_D.api_key)
    add("--api-secret", default=_D.api_secret)
    add("--access-token", default=_D.access_token, help="a token that is always accepted")
    add("--latency-ms", type=float, default=_D.latency_ms, help="fixed delay per historical response")
    add("--cost-ms-per-1000-candles", type=float, default=_D.cost_ms_per_1000_candles,
        help="extra delay per 1000 candles returned (0 disables)")
    add("--rate-limit", type=int, default=_D.rate_limit, help="historical requests per second per api_key")
    add("--other-rate-limit", type=int, default=_D.other_rate_limit, help="other endpoints, per second")
    add("--fault-rate", type=float, default=_D.fault_rate, help="share of historical requests that fail")
    add("--stall-seconds", type=float, default=_D.stall_seconds, help="how long a stall fault hangs")
    add("--seed", type=int, default=_D.seed)
    add("--today", type=_date, default=None, help="pretend today is YYYY-MM-DD (default: today in IST)")
    add("--redirect-url", default=_D.redirect_url, help="where the login page sends the request_token")
    add("--universe-scale", type=int, default=_D.universe_scale, help="1 = >=20k NFO rows, 5 = ~100k")
    add("--request-token-ttl-seconds", type=float, default=_D.request_token_ttl_seconds)
    add("--corporate-actions", type=_actions, default=(), metavar="FILE.json",
        help="a JSON list of corporate actions in force from the start (see POST /__sandbox/corporate-action)")
    add("--log-requests", action="store_true", help="log each request's method and path")


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        host=args.host, port=args.port, api_key=args.api_key, api_secret=args.api_secret,
        access_token=args.access_token, latency_ms=args.latency_ms,
        cost_ms_per_1000_candles=args.cost_ms_per_1000_candles, rate_limit=args.rate_limit,
        other_rate_limit=getattr(args, "other_rate_limit", _D.other_rate_limit), fault_rate=args.fault_rate,
        stall_seconds=getattr(args, "stall_seconds", _D.stall_seconds), seed=args.seed, today=args.today,
        redirect_url=args.redirect_url, universe_scale=args.universe_scale,
        request_token_ttl_seconds=getattr(args, "request_token_ttl_seconds", _D.request_token_ttl_seconds),
        corporate_actions=getattr(args, "corporate_actions", _D.corporate_actions),
    )


def run_sandbox(config: SandboxConfig, log_requests: bool = False) -> int:
    """Serve in the foreground until SIGINT/SIGTERM; prints where and how to connect."""
    try:
        sandbox = start_sandbox(config, log_requests=log_requests)
    except OSError as exc:
        print(f"kite sandbox: cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")
        return 1
    except ValueError as exc:  # a preloaded corporate action names an instrument the universe lacks
        print(f"kite sandbox: --corporate-actions: {exc}")
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(f"Kite sandbox listening on {sandbox.url}")
    print(f"  root (KiteConnect root=): {sandbox.url}")
    print(f"  login page:   {sandbox.url}/connect/login?api_key={config.api_key}&v=3")
    print(f"  api_key:      {config.api_key}")
    print(f"  api_secret:   {config.api_secret}  (sandbox-only credential)")
    print(f"  access_token: {config.access_token}  (always accepted)")
    print(f"  today: {config.today or 'real date (IST)'}  seed: {config.seed}  Ctrl-C to stop", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Kite sandbox stopped.", flush=True)
    return 0
