"""Kite's error vocabulary: each failure carries the HTTP status and the client exception name."""

from __future__ import annotations


class KiteError(Exception):
    """Raised anywhere in request handling; the handler turns it into Kite's error envelope."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def input_error(message: str) -> KiteError:
    return KiteError(400, "InputException", message)


def token_error(message: str = "Incorrect `api_key` or `access_token`.") -> KiteError:
    return KiteError(403, "TokenException", message)


def throttled() -> KiteError:
    return KiteError(429, "NetworkException", "Too many requests")
