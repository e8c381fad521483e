"""The errors a notebook sees: Python's own kinds, so `except KeyError` and `except ValueError` work as usual.

The domain's errors become them at this edge, as the REST adapter turns them into statuses: NotFound ->
SeriesNotFound (a KeyError), InvalidInput -> ValueError. Others pass unchanged (StoreBusy: a writer held the
lock longer than the timeout; CalendarInvalid: a calendar file that does not parse).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from domain.errors import InvalidInput, NotFound


class SeriesNotFound(KeyError):
    """A series (or a futures contract) that is not stored; the message says what is stored instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # KeyError's own shows the repr, quotes and all
        return self.message


@contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except NotFound as error:
        raise SeriesNotFound(error.message) from None
    except InvalidInput as error:
        raise ValueError(error.message) from None
