"""Starting and stopping a sandbox: a ThreadingHTTPServer in a background thread."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .config import SandboxConfig
from .handler import SandboxHandler
from .state import SandboxState


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class RunningSandbox:
    """A sandbox serving in background threads; stop() it or use it as a context manager."""

    def __init__(self, server: _Server, state: SandboxState, thread: threading.Thread) -> None:
        self._server = server
        self._state = state
        self._thread = thread
        self.config = state.config
        host, port = server.server_address[:2]
        self.port: int = int(port)
        self.url = f"http://{host!s}:{self.port}"

    def stats(self) -> dict[str, Any]:
        """The same dict GET /__sandbox/stats returns."""
        return self._state.snapshot()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_sandbox(config: SandboxConfig, log_requests: bool = False) -> RunningSandbox:
    """Build the universe, bind the port and serve; returns once it is listening."""
    state = SandboxState(config)
    state.universe()  # costly; build it before the first client waits on it
    handler = type("BoundSandboxHandler", (SandboxHandler,), {"state": state, "log_requests": log_requests})
    server = _Server((config.host, config.port), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name=f"kite-sandbox-{server.server_address[1]}", daemon=True)
    thread.start()
    return RunningSandbox(server, state, thread)
