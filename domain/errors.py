"""Domain errors: the only exceptions that cross layers; the edges map them to HTTP codes and exit codes."""


class DomainError(Exception):
    """Root of every error kitefetch reports on purpose."""

    error_type = "unknown"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """The caller asked for something malformed or impossible."""

    error_type = "validation"


class NotFound(DomainError):
    """A symbol, series or route that does not exist."""

    error_type = "not_found"


class AuthRequired(DomainError):
    """No usable Kite access token, or Kite rejected it (expired at 6 AM, invalidated)."""

    error_type = "auth"


class RequestTokenRefused(AuthRequired):
    """Kite would not trade a login's request token for a session: it expired or was already used."""


class UpstreamFailure(DomainError):
    """Kite failed, and retrying did not help (or cannot help)."""

    error_type = "api"


class StoreBusy(DomainError):
    """Another writer held the store lock longer than we are willing to wait."""

    error_type = "busy"


class Conflict(DomainError):
    """The request is well formed but the thing it acts on is in the wrong state for it."""

    error_type = "conflict"


class StoreConflict(Conflict):
    """The store holds something kitefetch did not write where a series should be."""


class NotConfigured(DomainError):
    """A setting the operation needs is missing (the Kite API key, say): the message says which and where."""

    error_type = "configuration"


class CalendarInvalid(NotConfigured):
    """A trading calendar file does not parse: the message names the file, the line and what is wrong."""


class StorageFailure(DomainError):
    """The file system under the data dir refused a write; nothing was half written, and the message says what to do."""

    error_type = "storage"


class StorageFull(StorageFailure):
    """No space (or no quota) left where the data dir is: the same request succeeds once space is freed."""


class StorageUnavailable(StorageFailure):
    """The data dir cannot be written at all: a read-only file system, no permission, or a failing disk."""
