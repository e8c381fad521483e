"""A local HTTP server that speaks Kite Connect v3 well enough to fool the official client.

It serves deterministic synthetic markets (instruments dump, login flow, historical candles), Kite's
error envelopes and rate limits, and faults on demand. It encodes Kite's rules itself, so it imports
nothing from the rest of kitefetch. See docs/sandbox.md.
"""

from .cli import add_sandbox_arguments, config_from_args, run_sandbox
from .config import SandboxConfig
from .server import RunningSandbox, start_sandbox

__all__ = [
    "RunningSandbox",
    "SandboxConfig",
    "add_sandbox_arguments",
    "config_from_args",
    "run_sandbox",
    "start_sandbox",
]
