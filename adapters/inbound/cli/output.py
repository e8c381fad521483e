"""How the CLI speaks: JSON bodies identical to the API's with --json, short human lines otherwise."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from domain.errors import AuthRequired, DomainError, InvalidInput, StorageFailure

if TYPE_CHECKING:
    from tqdm import tqdm

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_AUTH = 0, 1, 2, 3
EXIT_BY_ERROR: dict[type[DomainError], int] = {  # like the HTTP table: the nearest class in the error's MRO wins
    InvalidInput: EXIT_USAGE,
    AuthRequired: EXIT_AUTH,
    StorageFailure: EXIT_FAILURE,  # a full disk or a read-only data dir: the message says what to free or fix
}


def exit_code(error: DomainError) -> int:
    return next((EXIT_BY_ERROR[kind] for kind in type(error).__mro__ if kind in EXIT_BY_ERROR), EXIT_FAILURE)


def emit(body: dict, as_json: bool, human: str) -> None:
    print(json.dumps(body, indent=2) if as_json else human)


def fail(error: DomainError, as_json: bool) -> int:
    from adapters.inbound.presenters import error_body

    if as_json:
        print(json.dumps(error_body(error), indent=2))
    else:
        print(f"error ({error.error_type}): {error.message}", file=sys.stderr)
        if isinstance(error, AuthRequired):
            print("Log in again with: kitefetch login", file=sys.stderr)
    return exit_code(error)


def progress(total: int, description: str, enabled: bool) -> tqdm:
    """A progress bar on stderr, shown on terminals only (and never in --json mode)."""
    from tqdm import tqdm  # here: only the fetching commands show progress, the queries must start fast

    return tqdm(total=total, desc=description, unit="req", file=sys.stderr, leave=False,
                disable=None if enabled else True)
