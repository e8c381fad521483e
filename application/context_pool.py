"""Hand work to a pool thread in a copy of the submitting context.

`ThreadPoolExecutor` does not carry context variables, so without this a pool thread loses the caller's
Kite session token (`access_tokens.session_token`) and structlog's per-request fields (`request_id`).
Each task gets its own copy, taken at submit time: one Context cannot be entered by two threads at once.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def submit_in_context(pool: Executor, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """`pool.submit(fn, *args, **kwargs)`, run inside a copy of the caller's context variables."""
    context = contextvars.copy_context()

    def run() -> T:
        return context.run(fn, *args, **kwargs)

    return pool.submit(run)
