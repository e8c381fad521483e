"""TokenStore as a JSON file readable only by its owner (0600), shared by the API, the CLI and curl users."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from application.ports import BrokerSession


class TokenFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cache: tuple[float, BrokerSession | None] | None = None

    def load(self) -> BrokerSession | None:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        try:
            data = json.loads(self.path.read_text())
            token = BrokerSession(data["access_token"], data.get("user_id", ""), data.get("user_name", ""),
                                data.get("login_time", ""))
        except (OSError, ValueError, KeyError, TypeError):
            token = None
        self._cache = (mtime, token)
        return token

    def save(self, token: BrokerSession) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"access_token": token.access_token, "user_id": token.user_id,
                       "user_name": token.user_name, "login_time": token.login_time}, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        self._cache = None

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._cache = None
