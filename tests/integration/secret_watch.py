"""Every response kitefetch's own servers give during the integration suite, kept to be grepped for secrets."""

from __future__ import annotations

import requests

SECRETS: set[str] = {"sandbox-secret", "sandbox-token"}
KITEFETCH_BASES: set[str] = set()
RESPONSES: list[tuple[str, str]] = []
_original_send = requests.Session.send


def _recording_send(self, request, **kwargs):
    response = _original_send(self, request, **kwargs)
    if any(response.url.startswith(base) for base in KITEFETCH_BASES):
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        RESPONSES.append((response.url, f"{headers}\n\n{response.text}"))
    return response


def start() -> None:
    requests.Session.send = _recording_send  # type: ignore[method-assign]


def leaks() -> list[str]:
    return [f"{secret!r} in response from {url}" for url, text in RESPONSES for secret in SECRETS if secret in text]
